"""Every state-changing route refuses a POST without a valid CSRF token, and nothing changes."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.models import Base
from tests.conftest import login_as
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
