"""Races over real HTTP: many clients at once for few times, and one client clicking many times at once."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import time

import requests
from sqlalchemy import func, select

from portal.models import Booking, ClientAssignment, Slot
from tests.conftest import csrf_token_from, login_as
from tests.integration.booking_support import make_clients, publish_times

KIND = "guidance"  # any client of the network may book it
WORKERS = 48


def signed_in(app, live_server, client):
    token = login_as(app, app.test_client(), client)
    browser = requests.Session()
    browser.cookies.set(app.config["SESSION_COOKIE_NAME"], token)
    return browser


def race(jobs):
    """Fire all jobs as close to the same moment as the pool allows; return (status, body) pairs."""
    first_wave = min(WORKERS, len(jobs))
    start = threading.Barrier(first_wave, timeout=60)
    numbered = list(enumerate(jobs))

    def run(numbered_job):
        number, (browser, url, data) = numbered_job
        if number < first_wave:  # the first wave starts together; the rest follow as threads free up
            start.wait()
        response = browser.post(url, data=data, allow_redirects=False, timeout=120)
        return response.status_code, response.text

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(run, numbered))


def prepared(app, live_server, browser, url):
    page = browser.get(live_server.url + url, timeout=30)
    assert page.status_code == 200, page.text[:300]
    return csrf_token_from(page.text)


def test_a_hundred_clients_at_once_book_ten_times_each_exactly_once(app, db, demo, live_server):
    slot_ids = publish_times(app, db, demo["adviser"], kind=KIND, days=2, start=time(8), end=time(16))[:10]
    assert len(slot_ids) == 10
    clients = make_clients(db, 100)
    db.add_all(ClientAssignment(client_id=c.id, staff_user_id=demo["adviser"].id) for c in clients)
    db.commit()
    jobs = []
    for number, client in enumerate(clients):
        browser = signed_in(app, live_server, client)
        url = f"/appointments/book/{KIND}/{slot_ids[number % 10]}"
        token = prepared(app, live_server, browser, url)
        jobs.append(
            (
                browser,
                live_server.url + url,
                {"csrf_token": token, "modality": "phone", "phone": "040 123 4567", "interpreter": "no"},
            )
        )

    results = race(jobs)

    statuses = Counter(status for status, _ in results)
    assert not [status for status in statuses if status >= 500], statuses
    assert statuses == {302: 10, 409: 90}, statuses
    taken_pages = [body for status, body in results if status == 409]
    assert all("Joku ehti varata ajan juuri ennen sinua" in body for body in taken_pages)
    db.expire_all()
    booked = db.scalars(select(Booking).where(Booking.status == "booked")).all()
    assert sorted(b.slot_id for b in booked) == sorted(slot_ids), "every slot booked exactly once"
    assert db.scalar(select(func.count()).select_from(Slot).where(Slot.status == "booked")) == 10


def test_one_client_clicking_twenty_times_at_once_gets_one_booking(app, db, demo, live_server):
    slot_ids = publish_times(app, db, demo["adviser"], kind=KIND, days=3, start=time(8), end=time(16))[:20]
    assert len(slot_ids) == 20
    (client,) = make_clients(db, 1)
    db.add(ClientAssignment(client_id=client.id, staff_user_id=demo["adviser"].id))
    db.commit()
    browser = signed_in(app, live_server, client)
    token = prepared(app, live_server, browser, f"/appointments/book/{KIND}/{slot_ids[0]}")
    data = {"csrf_token": token, "modality": "phone", "phone": "040 123 4567", "interpreter": "no"}
    results = race([(browser, f"{live_server.url}/appointments/book/{KIND}/{s}", data) for s in slot_ids])

    statuses = Counter(status for status, _ in results)
    assert statuses == {302: 1, 409: 19}, statuses
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Booking)) == 1
    assert db.scalar(select(func.count()).select_from(Slot).where(Slot.status == "booked")) == 1
