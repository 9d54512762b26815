"""`load <db>:` lines: simulated clients on a mixed journey with think times, bounded in time.

Each simulated client has a session made in the database (as bench/data.py makes them) and goes
round a journey: front page, pathway, a questionnaire page that is saved and the next one, the
booking day list and the appointments list, thinking 0.5-2 s between pages, until the time is up.
The users arrive one by one over the first seconds (about one journey's length), so that their pages
are spread as independent people's would be; the latency of every request started after that, with
all of them present, is kept. Any answer other than the expected one is an error, at any time.
"""

from __future__ import annotations

import gc
import http.client
import os
import random
import statistics
import threading
import time
from collections.abc import Callable
from typing import NamedTuple
from urllib.parse import urlencode, urlsplit

from bench.data import BOOKING_TYPE, sign_in
from bench.databases import analyse, app_for, build, portal_env
from bench.pages import COOKIE, hidden_value
from bench.server import Gunicorn

THINK = (0.5, 2.0)
MAX_JOURNEYS = 50
WARM_UP = 20  # journeys without thinking before the clock starts, so the workers have warmed up
# Seven pages and six pauses make a journey about 8 s long. Users who all arrived within a few seconds
# would walk it in step, and their first questionnaire saves would come as one wave (the slowest
# hundredth of the run bunched in its seventh second); arriving over one journey's length spreads them
# as people's visits are spread.
ARRIVAL = 8.0


class Answer(NamedTuple):
    status: int
    location: str | None
    text: str


class KeptConnection:
    """A browser's one kept-alive connection to the portal, on http.client.

    The simulated browsers share the machine's cores with the server they measure. requests spent
    about 1.7 ms of CPU a request here (its sessions, adapters and cookie jar), a seventh of the
    machine during the load run; a browser's own work happens on the user's device, not the server's.
    Like requests, a kept connection the server has closed meanwhile is opened again once.
    """

    def __init__(self, base: str, token: str) -> None:
        address = urlsplit(base)
        self.host, self.port = address.hostname or "127.0.0.1", address.port or 80
        self.headers = {"Cookie": f"{COOKIE}={token}", "Accept": "text/html"}
        self.connection: http.client.HTTPConnection | None = None

    def request(self, method: str, url: str, data: dict[str, str] | None = None) -> Answer:
        body = urlencode(data) if data is not None else None
        headers = self.headers
        if body is not None:
            headers = {**headers, "Content-Type": "application/x-www-form-urlencoded"}
        kept = self.connection is not None
        try:
            return self._send(method, url, body, headers)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            self.close()
            if not kept:
                raise
            return self._send(method, url, body, headers)  # the server had closed the kept connection

    def _send(self, method: str, url: str, body: str | None, headers: dict[str, str]) -> Answer:
        if self.connection is None:
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        self.connection.request(method, url, body=body, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode()
        if response.will_close:
            self.close()
        return Answer(response.status, response.getheader("Location"), text)

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


class User(threading.Thread):
    def __init__(
        self,
        base: str,
        token: str,
        response_id: int,
        deadline: float,
        seed: int,
        *,
        thinking: bool = True,
        measured_from: float = 0.0,
    ) -> None:
        super().__init__(daemon=True)
        self.thinking = thinking
        self.base = base
        self.browser = KeptConnection(base, token)
        self.page = f"/questionnaires/{response_id}/pages/now"
        self.deadline = deadline
        self.measured_from = measured_from
        self.rng = random.Random(seed)
        self.latencies: list[float] = []
        self.errors: list[str] = []

    def request(
        self, method: str, url: str, expected: int, data: dict[str, str] | None = None
    ) -> Answer | None:
        measured = time.monotonic() >= self.measured_from
        started = time.perf_counter()
        try:
            response = self.browser.request(method, url, data)
        except (OSError, http.client.HTTPException) as error:  # refused, reset, timed out, garbled
            self.errors.append(f"{method} {url}: {type(error).__name__}")
            return None
        if measured:
            self.latencies.append(time.perf_counter() - started)
        if response.status != expected:
            self.errors.append(f"{method} {url}: HTTP {response.status}")
            return None
        return response

    def think(self) -> bool:
        """Pause like a person reading; False once the run's time is up."""
        if self.thinking:
            time.sleep(self.rng.uniform(*THINK))
        return time.monotonic() < self.deadline

    def journey(self) -> None:
        steps: list[Callable[[], object]] = [
            lambda: self.request("GET", "/home", 200),
            lambda: self.request("GET", "/pathway", 200),
            self.questionnaire,
            lambda: self.request("GET", f"/appointments/book/{BOOKING_TYPE}", 200),
            lambda: self.request("GET", "/appointments", 200),
        ]
        for step in steps:
            step()
            if not self.think():
                return

    def questionnaire(self) -> None:
        page = self.request("GET", self.page, 200)
        if page is None or not self.think():
            return
        data = {
            "csrf_token": hidden_value(page.text, "csrf_token"),
            "answers_version": hidden_value(page.text, "answers_version"),
            "current_situation": "unemployed",
            "action": "continue",
        }
        saved = self.request("POST", self.page, 302, data)
        if saved is None:
            return
        if not saved.location:
            self.errors.append(f"POST {self.page}: a redirect without a Location")
            return
        self.request("GET", saved.location.removeprefix(self.base), 200)

    def run(self) -> None:
        time.sleep(self.rng.uniform(0, ARRIVAL))
        try:
            for _ in range(MAX_JOURNEYS):
                if time.monotonic() >= self.deadline:
                    return
                self.journey()
        finally:
            self.browser.close()


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def load(
    database_url: str,
    label: str,
    *,
    users: int,
    seconds: float,
    clients: int,
    workers: int = 4,
    threads: int = 2,
) -> None:
    facts = build(database_url, clients)
    analyse(database_url)
    drafts = facts["drafts"][:users]
    if len(drafts) < users:
        raise RuntimeError(f"only {len(drafts)} clients with an open questionnaire for {users} users")
    app = app_for(database_url)
    tokens = sign_in(app, [client_id for client_id, _response in drafts])
    app.extensions["polku.engine"].dispose()
    with Gunicorn(
        "portal:create_app()", portal_env(database_url), workers=workers, threads=threads
    ) as server:
        warm_up_errors = []
        for seed, (token, (_client, response_id)) in enumerate(zip(tokens[:WARM_UP], drafts, strict=False)):
            warming = User(server.url, token, response_id, time.monotonic() + 60, seed, thinking=False)
            warming.journey()
            warming.browser.close()
            warm_up_errors += warming.errors
        # The data generation's writes still waiting in the page cache would make the run's first
        # commits wait for them (an fsync flushes the file system's journal with them).
        os.sync()
        started = time.monotonic()
        measured_from = started + ARRIVAL
        deadline = measured_from + seconds
        crowd = [
            User(server.url, token, response_id, deadline, seed, measured_from=measured_from)
            for seed, (token, (_client, response_id)) in enumerate(zip(tokens, drafts, strict=True))
        ]
        # The simulated browsers share this process: a garbage collection would stall them all at
        # once (about 100 ms with 200 browsers) and show up as server latency. The run is bounded,
        # so the few cycles it makes can wait until it is over.
        gc.collect()
        gc.disable()
        try:
            for user in crowd:
                user.start()
            for user in crowd:
                user.join(timeout=deadline - time.monotonic() + 60)
        finally:
            gc.enable()
        elapsed = time.monotonic() - measured_from
    latencies = [value * 1000 for user in crowd for value in user.latencies]
    errors = warm_up_errors + [error for user in crowd for error in user.errors]
    print(
        f"load {label}: users={users} p50={statistics.median(latencies):.0f} "
        f"p95={percentile(latencies, 0.95):.0f} p99={percentile(latencies, 0.99):.0f} errors={len(errors)}"
        f"   # {len(latencies)} requests in {elapsed:.0f} s after {ARRIVAL:.0f} s of arrivals,"
        f" think time {THINK[0]}-{THINK[1]} s,"
        f" {workers} workers × {threads} threads, load average {os.getloadavg()[0]:.1f}"
        + (f"; first error: {errors[0]}" if errors else ""),
        flush=True,
    )
