"""What anyone can put in a request and PostgreSQL refuses to store: a NUL character in an address
or a form, an overlong X-Request-Id. Never a server error."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.models import AccessLogEntry
from portal.services.audit import SYSTEM
from portal.services.clients import assign
from portal.services.feedback import received
from tests.conftest import login_as, post_form, searched


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": False}], indirect=True)
def test_feedback_with_a_nul_is_saved_without_it(client, db, app_context):
    typed = {"topic": "other", "message": "Nappi\x00 ei toimi", "page": "\x00Etusivu"}
    response = post_form(client, "/accessibility/feedback", typed)
    assert response.status_code == 302
    (stored,) = received(db, handled=False)
    assert (stored.message, stored.page) == ("Nappi ei toimi", "Etusivu")


@pytest.mark.parametrize(
    ("url", "fields"), [("/staff/clients", {}), ("/staff/questionnaires", {"show": "all\x00"})]
)
def test_a_search_with_a_nul_searches_without_it(app, db, demo, url, fields):
    with app.app_context():
        assign(db, SYSTEM, demo["client_fi"], demo["adviser"])
    adviser = app.test_client()
    login_as(app, adviser, demo["adviser"])
    response = searched(adviser, url, "Mei\x00k", **fields)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'value="Meik"' in page
    assert "\x00" not in page


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("4f1c2b8e-95d3-4a7e-b7c1-0d2e6f9a8b31", "4f1c2b8e-95d3-4a7e-b7c1-0d2e6f9a8b31"),
        ("x" * 65, None),
        ("<script>", None),
        ("ä", None),
    ],
)
def test_the_request_id_a_proxy_sends_is_logged_and_any_other_value_left_out(app, db, demo, sent, stored):
    with app.app_context():
        assign(db, SYSTEM, demo["client_fi"], demo["adviser"])
    adviser = app.test_client()
    login_as(app, adviser, demo["adviser"])
    for url in ("/staff/clients", f"/staff/clients/{demo['client_fi'].id}"):
        assert adviser.get(url, headers={"X-Request-Id": sent}).status_code == 200, url
    db.expire_all()
    entries = db.scalars(select(AccessLogEntry).where(AccessLogEntry.actor_id == demo["adviser"].id)).all()
    assert len(entries) >= 2  # the list and the overview
    assert {entry.request_id for entry in entries} == {stored}
