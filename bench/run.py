"""`make bench` / `make bench-quick`: server CPU against a baseline, SQL counts, page weights, load.

Prints one figure per line. Everything runs on loopback with bounded request counts.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

from bench.data import generate
from bench.pages import Page, pages
from bench.server import Gunicorn
from portal import create_app
from portal.migrations import upgrade

COOKIE = "polku_session"
ENV = {"PORTAL_ENV": "development", "PORTAL_RATELIMIT_ENABLED": "false"}


def portal_env(database_url: str) -> dict[str, str]:
    return {**ENV, "PORTAL_DATABASE_URL": database_url}


def build(database_url: str, clients: int) -> dict[str, Any]:
    upgrade(database_url)
    app = create_app({"DATABASE_URL": database_url, "ENV": "development"})
    facts = generate(app, clients)
    app.extensions["polku.engine"].dispose()
    return facts


def session_for(page: Page, facts: dict[str, Any]) -> requests.Session:
    browser = requests.Session()
    browser.cookies.set(COOKIE, facts[f"{page.role}_token"])
    return browser


def fetch(browser: requests.Session, base: str, page: Page) -> requests.Response:
    if page.method == "POST":
        token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get(base + page.url).text)
        data = {**page.form, "csrf_token": token.group(1) if token else ""}
        return browser.post(base + page.url, data=data, allow_redirects=False)
    return browser.get(base + page.url, allow_redirects=False)


def cpu_per_request(server: Gunicorn, send: Any, count: int) -> float:
    before = server.cpu_seconds()
    for _ in range(count):
        send()
    return (server.cpu_seconds() - before) / count


def ratios(facts: dict[str, Any], database_url: str, rounds: int, batch: int) -> None:
    portal = Gunicorn("portal:create_app()", portal_env(database_url))
    baseline = Gunicorn("bench.baseline:create_baseline()", portal_env(database_url))
    try:
        plain = requests.Session()
        size = len(fetch(session_for(pages(facts)[0], facts), portal.url, pages(facts)[0]).content)
        for _ in range(50):  # warm both servers
            plain.get(f"{baseline.url}/page?size={size}")
        base_cpu = statistics.median(
            cpu_per_request(baseline, lambda: plain.get(f"{baseline.url}/page?size={size}"), batch)
            for _ in range(rounds)
        )
        what = f"bare Flask+Jinja+one ORM query page of {size} bytes"
        print(f"baseline: {base_cpu * 1e6:.0f} µs CPU per request, {what}")
        for page in pages(facts):
            browser = session_for(page, facts)
            response = fetch(browser, portal.url, page)
            if response.status_code >= 400:
                print(f"ratio {page.name}: failed with HTTP {response.status_code}")
                continue
            page_size = len(response.content)
            results = []
            for _ in range(rounds):
                page_cpu = cpu_per_request(portal, lambda b=browser, p=page: fetch(b, portal.url, p), batch)
                base = cpu_per_request(
                    baseline, lambda size=page_size: plain.get(f"{baseline.url}/page?size={size}"), batch
                )
                results.append(page_cpu / base if base else float("nan"))
            label = f"{page.name} (POST)" if page.method == "POST" else page.name
            print(f"ratio {label}: {statistics.median(results):.2f}")
    finally:
        portal.stop()
        baseline.stop()


def query_counts(small: int, large: int, workdir: Path) -> None:
    from sqlalchemy import event

    counts: dict[str, list[int]] = {}
    for clients in (small, large):
        url = f"sqlite:///{workdir}/queries-{clients}.sqlite3"
        facts = build(url, clients)
        app = create_app({"DATABASE_URL": url, "ENV": "development", "RATELIMIT_ENABLED": False})
        for page in pages(facts):
            browser = app.test_client()
            browser.set_cookie(COOKIE, facts[f"{page.role}_token"])
            browser.open(page.url, method="GET")
            statements: list[str] = []

            def listener(*args: Any, seen: list[str] = statements) -> None:
                seen.append(args[2])

            event.listen(app.extensions["polku.engine"], "before_cursor_execute", listener)
            browser.open(page.url, method="GET")
            event.remove(app.extensions["polku.engine"], "before_cursor_execute", listener)
            counts.setdefault(page.name, []).append(len(statements))
        app.extensions["polku.engine"].dispose()
    for name, (at_small, at_large) in counts.items():
        print(f"queries {name}: {at_small} / {at_large}   # {small} vs {large} clients")


def weights(facts: dict[str, Any], database_url: str) -> None:
    portal = Gunicorn("portal:create_app()", portal_env(database_url))
    try:
        for page in pages(facts):
            if not page.client_page:
                continue
            browser = session_for(page, facts)
            html = browser.get(portal.url + page.url).text
            assets = re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"', html)
            third_party = re.findall(r'(?:href|src)="(https?://[^"]+)"', html)
            blocking = re.findall(r"<script(?![^>]*\b(?:defer|async)\b)[^>]*src=", html)
            total = len(html.encode()) + sum(len(browser.get(portal.url + asset).content) for asset in assets)
            extras = f"third-party={len(third_party)} blocking-scripts={len(blocking)}"
            print(f"weight {page.name}: {total / 1024:.1f} KB   # {extras}")
    finally:
        portal.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="smaller data and fewer rounds (about 3 minutes)"
    )
    args = parser.parse_args()
    started = time.monotonic()
    rounds, batch, clients = (3, 100, 200) if args.quick else (7, 300, 1000)
    with tempfile.TemporaryDirectory(prefix="polku-bench-") as tmp:
        workdir = Path(tmp)
        url = f"sqlite:///{workdir}/bench.sqlite3"
        facts = build(url, clients)
        ratios(facts, url, rounds, batch)
        query_counts(10, 1000 if not args.quick else 300, workdir)
        weights(facts, url)
    print(f"# finished in {time.monotonic() - started:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
