"""`weight <page>:` lines: HTML + CSS + JS of each client page, third-party requests, blocking scripts."""

from __future__ import annotations

import re
from typing import Any

from bench.databases import portal_env
from bench.pages import RequestsTransport, pages
from bench.server import Gunicorn

# Whatever the browser fetches by itself: stylesheets, scripts, images, frames, media.
FETCHED = re.compile(
    r"<(?:link|script|img|iframe|source|audio|video|embed)\b[^>]*\b(?:href|src)=\"([^\"]+)\""
)
CSS_URL = re.compile(r"(?:url\(\s*['\"]?|@import\s+['\"])([^'\")\s]+)")


def third_party(url: str) -> bool:
    return url.startswith(("http://", "https://", "//"))


def weights(facts: dict[str, Any], database_url: str) -> None:
    with Gunicorn("portal:create_app()", portal_env(database_url)) as portal:
        for page in pages(facts):
            if not page.client_page or page.method != "GET":
                continue
            transport = RequestsTransport(portal.url, facts[f"{page.role}_token"])
            _status, html = transport.get(page.url)
            fetched = FETCHED.findall(html)
            assets = [
                url
                for url in fetched
                if url.startswith("/static/") and url.split("?")[0].endswith((".css", ".js"))
            ]
            bodies = [transport.get(asset)[1] for asset in assets]
            outside = [url for url in fetched if third_party(url)]
            outside += [url for body in bodies for url in CSS_URL.findall(body) if third_party(url)]
            blocking = re.findall(r"<script\b(?![^>]*\b(?:defer|async|type=\"module\")\b)[^>]*\bsrc=", html)
            total = len(html.encode()) + sum(len(body.encode()) for body in bodies)
            extras = f"third-party={len(outside)} blocking-scripts={len(blocking)}"
            print(f"weight {page.name}: {total / 1024:.1f} KB   # {extras}", flush=True)
