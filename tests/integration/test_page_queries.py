"""The client's pages run the same number of SQL statements however much history the client has.

(The professionals' list pages and the client overview are checked in test_pathway_queries.py and
test_questionnaire_review.py; here, that the overview's lists stay the same length however long the
history.) `make bench` prints the same counts at larger sizes.
"""

from __future__ import annotations

import re
import secrets
from datetime import time, timedelta

from portal.i18n import today
from portal.models import Booking, Slot
from portal.models.base import utcnow
from portal.services.audit import Actor
from portal.services.clients import assign
from portal.services.consent import cancel
from portal.services.pathway import Change, add_note, start_pathway
from tests.conftest import csrf_token_from, login_as
from tests.factories import make_client
from tests.integration import consent_helpers as consents
from tests.integration import questionnaire_helpers as questionnaires
from tests.integration.booking_support import monday_after, publish_times
from tests.query_count import count_queries

KIND = "guidance"  # any client someone works with may book it


def past_appointments(db, client, adviser, count: int, first_day: int) -> None:
    """Appointments that took place, one a day, going back from `first_day` days ago."""
    for number in range(count):
        starts = utcnow().replace(hour=8, minute=0, second=0, microsecond=0) - timedelta(
            days=first_day + number
        )
        slot = Slot(
            adviser_id=adviser.id,
            appointment_type=KIND,
            starts_at=starts,
            ends_at=starts + timedelta(minutes=45),
            occupied_from=starts,
            occupied_until=starts + timedelta(minutes=60),
            modalities="phone",
            status="booked",
        )
        db.add(slot)
        db.flush()
        db.add(
            Booking(
                uid=secrets.token_hex(16),
                slot_id=slot.id,
                client_id=client.id,
                appointment_type=KIND,
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                status="done",
                is_current=False,
                modality="phone",
            )
        )
    db.commit()


def client_with_history(app, db, adviser, count: int, first_day: int):
    """A client of the adviser with `count` pathway notes, sent questionnaires and past appointments,
    and one questionnaire open."""
    actor = Actor(id=adviser.id, role="adviser", org=adviser.organisation)
    client = make_client(app, db, given_name=f"Historia{count}", family_name="Asiakas", locale="fi")
    with app.app_context():
        assign(db, actor, client, adviser)
        pathway = start_pathway(db, actor, client, "kela_vocational_rehabilitation", Change(today()))
        for number in range(count):
            change = Change(today(), note=f"Muistiinpano {number}", note_for_client=True)
            add_note(db, actor, client, pathway, change, pathway.version)
    for _ in range(count):
        questionnaires.submitted(app, db, client, adviser, questionnaires.ALL_PAGES)
    response = questionnaires.assign(app, db, client, adviser)
    past_appointments(db, client, adviser, count, first_day)
    return client, response


def statements(app, browser, url: str) -> int:
    browser.get(url)  # the first request after signing in refreshes the session; not this page's cost
    with count_queries(app) as seen:
        assert browser.get(url).status_code == 200
    return len(seen)


def statements_of_save(app, browser, url: str) -> int:
    """A questionnaire page saved as a browser saves it: the page's token and version, then the post."""
    page = browser.get(url).get_data(as_text=True)
    version = page.split('name="answers_version" type="hidden" value="', 1)[1].split('"', 1)[0]
    data = {
        "csrf_token": csrf_token_from(page),
        "answers_version": version,
        "current_situation": "unemployed",
        "action": "continue",
    }
    with count_queries(app) as seen:
        assert browser.post(url, data=data).status_code == 302
    return len(seen)


def test_the_client_pages_run_as_many_statements_with_little_or_much_history(app, db, demo):
    publish_times(app, db, demo["adviser"], kind=KIND, days=1, start=time(8), end=time(10))
    few, few_response = client_with_history(app, db, demo["adviser"], 1, first_day=2)
    many, many_response = client_with_history(app, db, demo["adviser"], 12, first_day=10)
    counted = {}
    for client, response in ((few, few_response), (many, many_response)):
        browser = app.test_client()
        login_as(app, browser, client)
        page = f"/questionnaires/{response.id}/pages/now"
        counted[client.id] = [
            statements(app, browser, url)
            for url in ("/home", "/pathway", page, f"/appointments/book/{KIND}", "/appointments")
        ] + [statements_of_save(app, browser, page)]
    assert counted[few.id] == counted[many.id]


def test_the_week_of_free_times_runs_as_many_statements_with_few_or_many_times(app, db, demo):
    first = monday_after()
    publish_times(app, db, demo["adviser"], kind=KIND, first=first, days=1, start=time(8), end=time(9))
    client = make_client(app, db, given_name="Varaaja", family_name="Asiakas", locale="fi")
    with app.app_context():
        assign(db, Actor(id=demo["adviser"].id, role="adviser"), client, demo["adviser"])
    browser = app.test_client()
    login_as(app, browser, client)
    url = f"/appointments/book/{KIND}?week={first.isoformat()}"
    few = statements(app, browser, url)
    later = first + timedelta(days=1)
    publish_times(app, db, demo["adviser"], kind=KIND, first=later, days=4, start=time(8), end=time(16))
    assert "time-list__link" in browser.get(url).get_data(as_text=True)
    assert statements(app, browser, url) == few


def test_the_client_overview_lists_the_newest_ten_of_each_and_shows_all_on_request(app, db, demo):
    client, _response = client_with_history(app, db, demo["adviser"], 12, first_day=2)
    for _ in range(11):  # one open request per form at a time: each is cancelled before the next
        request_id = consents.issue(app, db, demo["staff"], client)
        with app.app_context():
            cancel(db, consents.actor_of(demo["staff"]), consents.request_row(db, request_id))
    browser = app.test_client()
    login_as(app, browser, demo["adviser"])
    url = f"/staff/clients/{client.id}"
    page = browser.get(url).get_data(as_text=True)
    assert page.count('href="/staff/bookings/') == 10
    assert page.count('href="/staff/consents/requests/') == 10
    assert len(re.findall(r'href="/staff/questionnaires/\d+"', page)) == 9  # 10 rows, the open one unlinked
    for anchor, label in (
        ("booking-heading", "Näytä kaikki ajanvaraukset"),
        ("questionnaires", "Näytä kaikki kyselyt"),
        ("consent-requests", "Näytä kaikki suostumuspyynnöt"),
    ):
        assert f'href="{url}?show=all#{anchor}">{label}</a>' in page
    assert page.count("Näytetään vain 10 uusinta.") == 3
    everything = browser.get(f"{url}?show=all").get_data(as_text=True)
    assert everything.count('href="/staff/bookings/') == 12
    assert everything.count('href="/staff/consents/requests/') == 11
    assert len(re.findall(r'href="/staff/questionnaires/\d+"', everything)) == 12
    assert "Näytä kaikki" not in everything
    assert statements(app, browser, url) == statements(app, browser, f"{url}?show=all")
