"""`baseline:` and `ratio <page>:` lines: server CPU per request against a bare page of the same size."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from typing import Any

import requests

from bench.databases import portal_env
from bench.pages import Browser, RequestsTransport, pages
from bench.server import Gunicorn

# Requests before the first batch: with 20 the first round of a page still came out 5-15 % above
# the rest (what each worker thread loads and keeps on first use).
WARM_UP = 100


def cpu_per_request(server: Gunicorn, send: Callable[[], Any], count: int) -> float:
    before = server.cpu_seconds()
    for _ in range(count):
        send()
    return (server.cpu_seconds() - before) / count


def ratios(facts: dict[str, Any], database_url: str, rounds: int, batch: int) -> None:
    """Alternate a batch of the page and a batch of the bare page, `rounds` times; print the median ratio."""
    env = portal_env(database_url)
    with (
        Gunicorn("portal:create_app()", env) as portal,
        Gunicorn("bench.baseline:create_baseline()", env) as bare,
    ):
        plain = requests.Session()

        def bare_page(size: int) -> Callable[[], Any]:
            return lambda: plain.get(f"{bare.url}/page?size={size}", timeout=60)

        found = pages(facts)
        home = RequestsTransport(portal.url, facts[f"{found[0].role}_token"])
        size = len(home.get(found[0].url)[1].encode())
        for _ in range(WARM_UP * 2):
            bare_page(size)()
        base_cpu = statistics.median(cpu_per_request(bare, bare_page(size), batch) for _ in range(rounds))
        what = f"bare Flask+Jinja+one ORM query page of {size} bytes"
        print(f"baseline: {base_cpu * 1e6:.0f} µs CPU per request, {what}", flush=True)
        for page in found:
            transport = RequestsTransport(portal.url, facts[f"{page.role}_token"])
            status, html = transport.get(page.url)
            if status != 200:
                print(f"ratio {page.label}: failed with HTTP {status}", flush=True)
                continue
            page_size = len(html.encode())  # a form that is posted is compared with a page of its size
            browser = Browser(page, transport)
            expected = 302 if page.method == "POST" else 200
            statuses: list[int] = []

            def send(browser: Browser = browser, statuses: list[int] = statuses) -> None:
                statuses.append(browser.send()[0])

            for _ in range(WARM_UP):
                send()
            results = []
            for _ in range(rounds):
                page_cpu = cpu_per_request(portal, send, batch)
                base = cpu_per_request(bare, bare_page(page_size), batch)
                results.append(page_cpu / base if base else float("nan"))
            wrong = sum(status != expected for status in statuses)
            note = f"   # {wrong} of {len(statuses)} answers were not HTTP {expected}" if wrong else ""
            print(f"ratio {page.label}: {statistics.median(results):.2f}{note}", flush=True)
