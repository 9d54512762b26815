"""Every state-changing route refuses a POST without a valid CSRF token, and nothing changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from portal.models import Base
from tests.conftest import csrf_token_from, login_as
from tests.integration.test_access_matrix import EXPECTED, PEOPLE

# Token endpoints of an OAuth provider are called by servers, not browsers: CSRF does not apply.
NOT_BROWSER_FORMS = {("POST", "devidp.token")}


def row_counts(db) -> dict[str, int]:
    db.expire_all()
    return {
        table.name: db.scalar(select(func.count()).select_from(table))
        for table in Base.metadata.sorted_tables
    }


@pytest.mark.parametrize("role", ["anonymous", "client", "adviser"])
@pytest.mark.parametrize("token", [None, "stale-or-forged-token"])
def test_posts_without_a_valid_token_are_refused(app, db, demo, role, token):
    browser = app.test_client()
    if role != "anonymous":
        login_as(app, browser, demo[PEOPLE[role]])
    before = row_counts(db)
    for (method, endpoint), (url, _) in sorted(EXPECTED.items()):
        if method != "POST" or (method, endpoint) in NOT_BROWSER_FORMS:
            continue
        data = {"csrf_token": token} if token else {}
        response = browser.post(url, data=data)
        assert response.status_code == 400, f"{url} as {role}"
        assert "Sivu oli vanhentunut" in response.get_data(as_text=True)
    assert row_counts(db) == before


# Reading writes only to the access log (a failed sign-in is logged) and touches the session.
RECORDS_NOT_STATE = {"user_session", "access_log", "audit_chain_head"}


def test_get_requests_never_change_state(app, db, demo):
    browser = app.test_client()
    login_as(app, browser, demo["client_fi"])
    before = {name: count for name, count in row_counts(db).items() if name not in RECORDS_NOT_STATE}
    for (method, _endpoint), (url, _) in sorted(EXPECTED.items()):
        if method == "GET":
            browser.get(url)
    after = {name: count for name, count in row_counts(db).items() if name not in RECORDS_NOT_STATE}
    assert after == before


FEEDBACK = "/accessibility/feedback"
SENT = {"topic": "other", "page": "Etusivu", "message": "Toimii."}


def token_on(browser) -> str:
    return csrf_token_from(browser.get(FEEDBACK).get_data(as_text=True))


def test_a_sessions_signed_token_is_the_same_on_every_visit_and_only_its_own(app, db):
    first, second = app.test_client(), app.test_client()
    token = token_on(first)
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=5)):
        # Signed afresh, the token would carry the new time.
        assert token_on(first) == token
    assert token_on(second) != token
    # Kept signed, the token still proves only its own session.
    assert second.post(FEEDBACK, data={**SENT, "csrf_token": token}).status_code == 400
    assert first.post(FEEDBACK, data={**SENT, "csrf_token": token}).status_code == 302


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_TIME_LIMIT": 3600}], indirect=True)
def test_with_a_time_limit_tokens_are_signed_afresh_and_accepted(app, db):
    browser = app.test_client()
    token = token_on(browser)
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=5)):
        assert token_on(browser) != token
    assert browser.post(FEEDBACK, data={**SENT, "csrf_token": token}).status_code == 302


def test_a_signed_token_that_does_not_prove_the_sessions_token_is_never_kept(app):
    from flask import Response, g, session

    from portal import security

    with app.test_request_context(FEEDBACK):
        session["csrf_token"] = "a" * 40
        g.csrf_token = "InNvbWV0aGluZyBlbHNlIg.awwMgw.forged"
        security.keep_signed_csrf(Response())
        security.reuse_signed_csrf()
        assert g.csrf_token == "InNvbWV0aGluZyBlbHNlIg.awwMgw.forged"
    with app.test_request_context(FEEDBACK):
        session["csrf_token"] = "a" * 40
        security.reuse_signed_csrf()
        assert "csrf_token" not in g
