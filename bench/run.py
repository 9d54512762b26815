"""`make bench` / `make bench-quick`: server CPU per page against a baseline, SQL counts, weights, and more.

Prints one figure per line as soon as it is measured. Everything runs on loopback with bounded request
counts and times; PostgreSQL lines need a server on 127.0.0.1:5432 (BENCH_POSTGRES_URL), where each
part creates a database of its own and drops it afterwards.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.cpu import ratios
from bench.databases import build, postgres_database, postgres_reachable, sqlite_url
from bench.load import load
from bench.queries import query_counts
from bench.race import race
from bench.scale import scale
from bench.weight import weights


@dataclass(frozen=True)
class Profile:
    # Alternating rounds of page and baseline batches: many short ones follow the machine's drift
    # (on a shared machine its speed changes within seconds) better than a few long ones.
    rounds: int
    batch: int  # requests per batch
    clients: int  # generated clients for the ratios and weights
    small: int  # the two data sizes of the query counts
    large: int
    race_clients: int
    load_users: int
    load_seconds: float
    load_clients: int
    scale_clients: int
    scale_samples: int


FULL = Profile(21, 100, 1000, 10, 1000, 100, 200, 60, 1000, 100_000, 200)
QUICK = Profile(9, 50, 200, 10, 300, 100, 200, 10, 600, 10_000, 50)
NO_POSTGRES = "skipped (no PostgreSQL)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="smaller data and fewer rounds (about 3 minutes)"
    )
    args = parser.parse_args()
    profile = QUICK if args.quick else FULL
    started = time.monotonic()
    postgres = postgres_reachable()
    with tempfile.TemporaryDirectory(prefix="polku-bench-") as tmp:
        workdir = Path(tmp)
        url = sqlite_url(workdir, "bench")
        facts = build(url, profile.clients)
        ratios(facts, url, profile.rounds, profile.batch)
        query_counts(profile.small, profile.large, workdir)
        weights(facts, url)
        race(sqlite_url(workdir, "race"), "sqlite", clients=profile.race_clients)
        if postgres:
            with postgres_database("race") as pg_url:
                race(pg_url, "postgresql", clients=profile.race_clients)
        else:
            print(f"race postgresql: {NO_POSTGRES}", flush=True)

        def run_load(database_url: str, label: str) -> None:
            users, seconds, clients = profile.load_users, profile.load_seconds, profile.load_clients
            load(database_url, label, users=users, seconds=seconds, clients=clients)

        run_load(sqlite_url(workdir, "load"), "sqlite")
        if postgres:
            with postgres_database("load") as pg_url:
                run_load(pg_url, "postgresql")
            with postgres_database("scale") as pg_url:
                scale(pg_url, clients=profile.scale_clients, samples=profile.scale_samples)
        else:
            print(f"load postgresql: {NO_POSTGRES}", flush=True)
            print(f"scale postgresql: {NO_POSTGRES}", flush=True)
    print(f"# finished in {time.monotonic() - started:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
