"""The route rule: every endpoint needs sign-in unless it is on this short public list."""

from flask import Flask

from portal.identity.access import is_public_endpoint

PUBLIC_ENDPOINTS = {
    "static",
    "pages.start",
    "pages.accessibility",
    "pages.privacy",
    "pages.contact",
    "feedback.give",
    "feedback.thanks",
    "language.switch",
    "health.health",
    "auth.sign_in",
    "auth.start",
    "auth.callback",
    "auth.signed_out",
    "identity.jwks",
    # The development identity provider (never registered in production).
    "devidp.discovery",
    "devidp.jwks",
    "devidp.authorize",
    "devidp.token",
    "devidp.end_session",
    "devtools.outbox",
    "consent.verify_public",
}


def public_endpoints(app: Flask) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules() if is_public_endpoint(app, rule.endpoint)}


def test_the_public_endpoints_are_exactly_the_allowlist(app):
    assert public_endpoints(app) == PUBLIC_ENDPOINTS


def test_every_other_get_route_sends_an_anonymous_visitor_to_sign_in(app, client):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS or "GET" not in rule.methods:
            continue
        url = rule.build(dict.fromkeys(rule.arguments, "1"))[1]
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/sign-in?next="), url
