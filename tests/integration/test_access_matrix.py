"""Every route with every role: anonymous, a client, another client, an adviser, staff and an admin.

A route without a rule in tests/access_rules/ fails the test, so a new feature decides who may use it.
"""

from __future__ import annotations

import pytest
from flask import Flask

from tests.access_rules import ROLES, collect
from tests.conftest import login_as

EXPECTED = collect()


PEOPLE = {
    "client": "client_fi",
    "other_client": "client_sv",
    "adviser": "adviser",
    "staff": "staff",
    "admin": "admin",
}


def routes(app: Flask) -> set[tuple[str, str]]:
    return {
        (method, rule.endpoint)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def test_every_route_has_an_expected_answer_for_every_role(app):
    assert routes(app) == set(EXPECTED), "add the new routes to EXPECTED with the status each role gets"


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": False}], indirect=True)
@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_expected_answer(app, demo, role):
    browser = app.test_client()
    if role != "anonymous":
        login_as(app, browser, demo[PEOPLE[role]])
    for (method, _endpoint), (url, expected) in sorted(EXPECTED.items()):
        response = browser.open(url, method=method)
        assert response.status_code == expected[role], f"{method} {url} as {role}"
        if role != "anonymous" and "/sign-out" in url:
            login_as(app, browser, demo[PEOPLE[role]])
