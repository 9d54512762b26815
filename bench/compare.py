"""`python -m bench.compare A B`: two checkouts' CPU ratios measured side by side, to judge a change.

Single `make bench` runs of one and the same checkout gave the review queue anything from 2.19 to
2.99 on a shared machine within an hour: the machine's speed drifts between runs, not only within
one. Here one generated database is copied for each checkout, both portals and the bare page run
under gunicorn at the same time, and every round measures a batch of each portal against a batch of
the bare page, in alternating order, so that both meet the same machine. It prints each page's
median ratios and the median of the rounds' differences, with how many rounds agree on its sign.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from bench.cpu import WARM_UP, cpu_per_request
from bench.databases import build, portal_env, sqlite_url
from bench.pages import Browser, RequestsTransport, pages
from bench.server import Gunicorn

PAGES = ("adviser queue", "client overview")


def compare(trees: tuple[Path, Path], labels: tuple[str, ...], rounds: int, batch: int, clients: int) -> None:
    with tempfile.TemporaryDirectory(prefix="polku-compare-") as tmp:
        # A database each, the bare page's too: a portal's writes make the next reader of the
        # same file start its read afresh, which would charge one portal's writes to the other.
        urls = [sqlite_url(Path(tmp), name) for name in ("a", "b", "bare")]
        facts = build(urls[0], clients)
        for name in ("b", "bare"):
            shutil.copy(Path(tmp) / "a.sqlite3", Path(tmp) / f"{name}.sqlite3")
        portals = [
            Gunicorn("portal:create_app()", portal_env(url), root=tree)
            for tree, url in zip(trees, urls[:2], strict=True)
        ]
        bare = Gunicorn("bench.baseline:create_baseline()", portal_env(urls[2]), root=trees[0])
        try:
            plain = requests.Session()
            for page in [page for page in pages(facts) if page.label in labels]:
                token = facts[f"{page.role}_token"]
                browsers = [Browser(page, RequestsTransport(portal.url, token)) for portal in portals]
                size = len(browsers[0].send()[1].encode())

                def bare_page(size: int = size) -> Any:
                    return plain.get(f"{bare.url}/page?size={size}", timeout=60)

                for _ in range(WARM_UP):
                    bare_page()
                    for browser in browsers:
                        browser.send()
                found = _paired(portals, [b.send for b in browsers], bare, bare_page, rounds, batch)
                differences = [a - b for a, b in zip(*found, strict=True)]
                above = sum(difference > 0 for difference in differences)
                a, b, a_b = (statistics.median(values) for values in (*found, differences))
                print(
                    f"compare {page.label}: A {a:.2f} B {b:.2f} A-B {a_b:+.2f}"
                    f"   # A above B in {above} of {rounds} rounds",
                    flush=True,
                )
        finally:
            for server in (*portals, bare):
                server.stop()


def _paired(
    portals: list[Gunicorn],
    sends: list[Callable[[], Any]],
    bare: Gunicorn,
    bare_page: Callable[[], Any],
    rounds: int,
    batch: int,
) -> list[list[float]]:
    found: list[list[float]] = [[], []]
    for round_number in range(rounds):
        for index in (0, 1) if round_number % 2 == 0 else (1, 0):
            page_cpu = cpu_per_request(portals[index], sends[index], batch)
            found[index].append(page_cpu / cpu_per_request(bare, bare_page, batch))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("a", type=Path, help="a checkout (with the portal's requirements installed)")
    parser.add_argument("b", type=Path, help="the other checkout")
    parser.add_argument("--page", action="append", help=f"a page's label (default: {', '.join(PAGES)})")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--clients", type=int, default=1000)
    args = parser.parse_args()
    trees = (args.a.resolve(), args.b.resolve())
    compare(trees, tuple(args.page or PAGES), args.rounds, args.batch, args.clients)


if __name__ == "__main__":
    main()
