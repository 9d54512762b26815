"""Every route with every role: anonymous, a client, another client, an adviser, staff and an admin.

A route without a row here fails the test, so a new feature has to decide who may use it.
"""

from __future__ import annotations

import pytest
from flask import Flask

from tests.conftest import login_as

ROLES = ("anonymous", "client", "other_client", "adviser", "staff", "admin")
PEOPLE = {
    "client": "client_fi",
    "other_client": "client_sv",
    "adviser": "adviser",
    "staff": "staff",
    "admin": "admin",
}

ANYONE_200 = dict.fromkeys(ROLES, 200)
CLIENTS_ONLY = {
    "anonymous": 302,
    "client": 200,
    "other_client": 200,
    "adviser": 403,
    "staff": 403,
    "admin": 403,
}
STAFF_ONLY = {
    "anonymous": 302,
    "client": 403,
    "other_client": 403,
    "adviser": 200,
    "staff": 200,
    "admin": 200,
}
SIGNED_IN_POST = {"anonymous": 401, **dict.fromkeys(ROLES[1:], 302)}

# (method, endpoint) -> (url, expected status per role)
EXPECTED: dict[tuple[str, str], tuple[str, dict[str, int]]] = {
    ("GET", "pages.start"): ("/", ANYONE_200),
    ("GET", "pages.accessibility"): ("/accessibility", ANYONE_200),
    ("GET", "pages.privacy"): ("/privacy", ANYONE_200),
    ("GET", "pages.contact"): ("/contact", ANYONE_200),
    ("GET", "feedback.give"): ("/accessibility/feedback", ANYONE_200),
    ("POST", "feedback.give"): ("/accessibility/feedback", dict.fromkeys(ROLES, 422)),
    ("GET", "feedback.thanks"): ("/accessibility/feedback/thanks", ANYONE_200),
    ("GET", "language.switch"): ("/language/sv", dict.fromkeys(ROLES, 302)),
    ("GET", "health.health"): ("/health", ANYONE_200),
    ("GET", "identity.jwks"): ("/.well-known/jwks.json", ANYONE_200),
    ("GET", "auth.sign_in"): ("/sign-in", {"anonymous": 200, **dict.fromkeys(ROLES[1:], 302)}),
    ("POST", "auth.start"): ("/sign-in/nope", dict.fromkeys(ROLES, 404)),
    ("GET", "auth.callback"): ("/auth/ftn/callback", dict.fromkeys(ROLES, 400)),
    ("GET", "auth.signed_out"): ("/signed-out", ANYONE_200),
    ("POST", "auth.step_up"): ("/sign-in/step-up", {"anonymous": 401, **dict.fromkeys(ROLES[1:], 400)}),
    ("POST", "auth.sign_out"): ("/sign-out", SIGNED_IN_POST),
    ("POST", "auth.sign_out_everywhere"): ("/sign-out/everywhere", SIGNED_IN_POST),
    ("POST", "auth.extend_session"): ("/session/extend", SIGNED_IN_POST),
    ("GET", "home.client_home"): ("/home", CLIENTS_ONLY),
    ("GET", "home.staff_home"): ("/staff", STAFF_ONLY),
    ("GET", "devidp.discovery"): ("/dev-idp/ftn/.well-known/openid-configuration", ANYONE_200),
    ("GET", "devidp.jwks"): ("/dev-idp/org/jwks", ANYONE_200),
    ("GET", "devidp.authorize"): ("/dev-idp/ftn/authorize", dict.fromkeys(ROLES, 400)),
    ("POST", "devidp.authorize"): ("/dev-idp/ftn/authorize", dict.fromkeys(ROLES, 400)),
    ("POST", "devidp.token"): ("/dev-idp/ftn/token", dict.fromkeys(ROLES, 400)),
    ("GET", "devidp.end_session"): ("/dev-idp/ftn/end-session", dict.fromkeys(ROLES, 400)),
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
