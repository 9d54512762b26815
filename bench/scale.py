"""`scale postgresql:` line: the adviser's queue and client list with many clients in the database.

All generated clients are assigned to the bench adviser, the worst case for both pages: the list
counts and sorts every one of them, the queue every sent questionnaire.
"""

from __future__ import annotations

import time

from bench.databases import analyse, build, portal_env
from bench.load import percentile
from bench.pages import RequestsTransport
from bench.server import Gunicorn

PAGES = {"adviser_queue": "/staff/questionnaires", "my_clients": "/staff/clients"}


def scale(database_url: str, *, clients: int, samples: int) -> None:
    started = time.monotonic()
    facts = build(database_url, clients, events_per_client=2)
    analyse(database_url)
    generated = time.monotonic() - started
    latencies: dict[str, list[float]] = {name: [] for name in PAGES}
    with Gunicorn("portal:create_app()", portal_env(database_url)) as server:
        adviser = RequestsTransport(server.url, facts["adviser_token"])
        for _ in range(5):
            for url in PAGES.values():
                adviser.get(url)
        for _ in range(samples):  # one page after the other, as one adviser clicks
            for name, url in PAGES.items():
                before = time.perf_counter()
                status, _html = adviser.get(url)
                latencies[name].append((time.perf_counter() - before) * 1000)
                if status != 200:
                    raise RuntimeError(f"{url} answered HTTP {status}")
    shown = " ".join(f"{name}_p95={percentile(values, 0.95):.0f}" for name, values in latencies.items())
    print(
        f"scale postgresql: clients={clients} {shown}"
        f"   # {samples} requests each; data generated in {generated:.0f} s",
        flush=True,
    )
