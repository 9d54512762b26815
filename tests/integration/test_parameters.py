"""A NUL character in an address or a form, which PostgreSQL refuses in text: dropped, never a
server error."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.models import Feedback
from portal.services.audit import SYSTEM
from portal.services.clients import assign
from tests.conftest import login_as, post_form


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": False}], indirect=True)
def test_feedback_with_a_nul_is_saved_without_it(client, db):
    typed = {"topic": "other", "message": "Nappi\x00 ei toimi", "page": "\x00Etusivu"}
    response = post_form(client, "/accessibility/feedback", typed)
    assert response.status_code == 302
    stored = db.scalars(select(Feedback)).one()
    assert (stored.message, stored.page) == ("Nappi ei toimi", "Etusivu")


@pytest.mark.parametrize("url", ["/staff/clients?q=Mei%00k", "/staff/questionnaires?q=Mei%00k&show=all%00"])
def test_a_search_with_a_nul_searches_without_it(app, db, demo, url):
    with app.app_context():
        assign(db, SYSTEM, demo["client_fi"], demo["adviser"])
    adviser = app.test_client()
    login_as(app, adviser, demo["adviser"])
    response = adviser.get(url)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'value="Meik"' in page
    assert "\x00" not in page
