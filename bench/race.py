"""`race <db>:` lines: many clients book few free times at the same moment, through gunicorn.

Each client loads the confirmation page of one of the times (as in tests/integration/test_booking_race.py)
and then all post at once. Every time must be booked exactly once: the database is counted afterwards.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import requests
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from bench.data import BOOKING_TYPE, Calendar, inserted_ids, sign_in, slot_row, synthetic_hetu
from bench.databases import app_for, portal_env
from bench.pages import COOKIE, hidden_value
from bench.server import Gunicorn
from portal.demo import demo_person, load_demo
from portal.identity import hetu
from portal.migrations import upgrade
from portal.models import Booking, Client, ClientAssignment, Slot, StaffUser
from portal.models.names import search_name

ANSWERS = (302, 409)  # booked, or "that time was just taken"


def prepare(app: Any, clients: int, slots: int) -> tuple[list[int], list[int]]:
    """`clients` new clients of the demo adviser, and `slots` free guidance times of that adviser."""
    with app.app_context():
        db: Session = app.extensions["polku.sessionmaker"]()
        load_demo(db)
        adviser = select(StaffUser.id).where(StaffUser.email == demo_person("adviser")["email"])
        adviser_id = db.scalars(adviser).one()
        now = datetime.now(UTC)
        client_ids = inserted_ids(
            db,
            Client,
            [
                {
                    "hetu_hash": hetu.lookup(code := synthetic_hetu(500_000 + number)),
                    "hetu_encrypted": hetu.encrypt(code),
                    "given_name": f"Kilpailija{number}",
                    "family_name": "Asiakas",
                    "search_name": search_name(f"Kilpailija{number}", "Asiakas"),
                    "locale": "fi",
                    "email": f"kilpailija{number}@example.fi",
                    "created_at": now,
                }
                for number in range(clients)
            ],
        )
        db.execute(
            insert(ClientAssignment),
            [{"client_id": cid, "staff_user_id": adviser_id, "assigned_at": now} for cid in client_ids],
        )
        times = Calendar([adviser_id]).times([3])  # far from the demo's interview times next week
        slot_ids = inserted_ids(db, Slot, [slot_row(*next(times), "free", now) for _ in range(slots)])
        db.commit()
        db.close()
    return client_ids, slot_ids


def race(database_url: str, label: str, *, clients: int = 100, slots: int = 10) -> None:
    upgrade(database_url)
    app = app_for(database_url)
    client_ids, slot_ids = prepare(app, clients, slots)
    tokens = sign_in(app, client_ids)
    with Gunicorn("portal:create_app()", portal_env(database_url), workers=2, threads=8) as server:
        jobs = []
        for number, token in enumerate(tokens):
            browser = requests.Session()
            browser.cookies.set(COOKIE, token)
            url = f"{server.url}/appointments/book/{BOOKING_TYPE}/{slot_ids[number % slots]}"
            page = browser.get(url, timeout=60)
            data = {
                "csrf_token": hidden_value(page.text, "csrf_token"),
                "modality": "phone",
                "phone": "040 123 4567",
                "interpreter": "no",
            }
            jobs.append((browser, url, data))
        start = threading.Barrier(len(jobs), timeout=120)

        def post(job: tuple[requests.Session, str, dict[str, str]]) -> int:
            browser, url, data = job
            start.wait()
            try:
                return browser.post(url, data=data, allow_redirects=False, timeout=120).status_code
            except requests.RequestException:
                return 0

        with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
            statuses = Counter(pool.map(post, jobs))
    with app.app_context():
        db: Session = app.extensions["polku.sessionmaker"]()
        holders = db.execute(
            select(Booking.slot_id, func.count())
            .where(Booking.slot_id.in_(slot_ids), Booking.status == "booked")
            .group_by(Booking.slot_id)
        ).all()
        db.close()
    app.extensions["polku.engine"].dispose()
    booked = sum(count for _slot, count in holders)
    double = sum(count - 1 for _slot, count in holders if count > 1)
    errors = sum(count for status, count in statuses.items() if status not in ANSWERS)
    answers = " ".join(f"{status}×{count}" for status, count in sorted(statuses.items()))
    print(
        f"race {label}: booked={booked} slots={slots} errors={errors} double={double}"
        f"   # {clients} clients posting at once; answers {answers}",
        flush=True,
    )
