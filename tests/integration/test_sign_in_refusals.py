"""Every way a sign-in answer can be wrong is refused, with a calm page and no session behind it."""

from __future__ import annotations

import time

import pytest
import requests
from sqlalchemy import func, select

from portal.models import UserSession
from tests.integration.oidc_helpers import csrf, query, start_sign_in

MAIJA = "150385-9013"
FAILED = "Kirjautuminen ei onnistunut"


def signed_in_sessions(db) -> int:
    db.expire_all()
    return db.scalar(
        select(func.count())
        .select_from(UserSession)
        .where(UserSession.client_id.is_not(None) | UserSession.staff_user_id.is_not(None))
    )


def assert_refused(response: requests.Response, db, status: int = 400, text: str = FAILED) -> None:
    assert response.status_code == status
    assert text in response.text
    assert "Traceback" not in response.text
    assert signed_in_sessions(db) == 0


def with_param(url: str, name: str, value: str | None) -> str:
    from urllib.parse import urlencode, urlsplit, urlunsplit

    parts = urlsplit(url)
    params = query(url)
    if value is None:
        params.pop(name, None)
    else:
        params[name] = value
    return urlunsplit(parts._replace(query=urlencode(params)))


NOW = int(time.time())


@pytest.mark.parametrize(
    "mischief",
    [
        pytest.param({"claims": {"nonce": "not-the-one-we-sent"}}, id="wrong-nonce"),
        pytest.param({"claims": {"aud": "someone-else"}}, id="wrong-aud"),
        pytest.param({"claims": {"iss": "http://evil.example/idp"}}, id="wrong-iss"),
        pytest.param({"alg": "none"}, id="alg-none"),
        pytest.param({"alg": "HS256-public"}, id="hs256-with-public-key"),
        pytest.param({"claims": {"exp": NOW - 3600, "iat": NOW - 4200}}, id="expired"),
        pytest.param({"claims": {"iat": NOW + 3600, "exp": NOW + 7200}}, id="iat-in-future"),
        pytest.param({"foreign_key": True}, id="unknown-kid"),
        pytest.param({"encrypt": False}, id="unencrypted-where-required"),
        pytest.param({"claims": {"acr": "http://ftn.ficora.fi/2017/loa1"}}, id="acr-too-low"),
        pytest.param({"claims": {"acr": None}}, id="acr-missing"),
        pytest.param({"claims": {"urn:oid:1.2.246.21": "150385-9014"}}, id="invalid-hetu"),
        pytest.param({"claims": {"urn:oid:1.2.246.21": None}}, id="no-hetu"),
    ],
)
def test_a_bad_id_token_is_refused(live_server, app, db, mischief):
    app.config["DEV_IDP_MISCHIEF"] = mischief
    browser, callback = start_sign_in(live_server.url, MAIJA)
    assert_refused(browser.get(callback), db)


def test_a_real_hetu_is_refused_in_production_mode_only(live_server, app, db):
    # 131052-308T is valid but outside the test range: accepted here, as a test code would be in production.
    app.config["DEV_IDP_MISCHIEF"] = {"claims": {"urn:oid:1.2.246.21": "131052-308T"}}
    browser, callback = start_sign_in(live_server.url, MAIJA)
    assert browser.get(callback).status_code == 200


@pytest.mark.parametrize("state", ["wrong-state", "", None])
def test_a_wrong_or_missing_state_is_refused(live_server, db, state):
    browser, callback = start_sign_in(live_server.url, MAIJA)
    assert_refused(browser.get(with_param(callback, "state", state)), db)


def test_a_callback_without_a_started_sign_in_is_refused(live_server, db):
    _, callback = start_sign_in(live_server.url, MAIJA)
    stranger = requests.Session()  # another browser: a login CSRF attempt
    assert_refused(stranger.get(callback), db)


def test_a_reused_state_is_refused(live_server, db):
    browser, callback = start_sign_in(live_server.url, MAIJA)
    assert browser.get(callback).status_code == 200
    browser.post(live_server.url + "/sign-out", data={"csrf_token": csrf(browser, live_server.url, "/home")})
    assert_refused(browser.get(callback), db)


def test_a_reused_code_is_refused(live_server, db):
    first, used_callback = start_sign_in(live_server.url, MAIJA)
    assert first.get(used_callback).status_code == 200
    first.post(live_server.url + "/sign-out", data={"csrf_token": csrf(first, live_server.url, "/home")})
    # A fresh sign-in whose callback carries the old, already redeemed code.
    second, fresh_callback = start_sign_in(live_server.url, MAIJA)
    replay = with_param(fresh_callback, "code", query(used_callback)["code"])
    assert_refused(second.get(replay), db)


def test_a_code_from_one_provider_is_refused_at_the_other(live_server, db):
    browser, client_callback = start_sign_in(live_server.url, MAIJA)
    # The same browser starts a staff sign-in, then presents the client provider's code to the staff callback.
    _, staff_callback = start_sign_in(live_server.url, "riikka.rantanen@kela.example", browser)
    crossed = with_param(staff_callback, "code", query(client_callback)["code"])
    assert_refused(browser.get(crossed), db)
    assert_refused(browser.get(with_param(client_callback, "state", query(staff_callback)["state"])), db)


def test_a_cancelled_sign_in_says_so_calmly(live_server, db):
    browser = requests.Session()
    response = browser.post(
        live_server.url + "/sign-in/ftn",
        data={"csrf_token": csrf(browser, live_server.url)},
        allow_redirects=False,
    )
    provider_page = response.headers["Location"]
    token = csrf(browser, live_server.url, provider_page.removeprefix(live_server.url))
    cancelled = browser.post(
        live_server.url + "/dev-idp/ftn/authorize",
        data={"csrf_token": token, "request": query(provider_page)["request"], "cancel": "1"},
    )
    assert "error=access_denied" in cancelled.history[-1].headers["Location"]
    assert_refused(cancelled, db, status=200, text="Peruutit tunnistautumisen")
    assert "Yritä uudelleen" in cancelled.text


def test_the_provider_refuses_a_tampered_request_object(live_server):
    browser = requests.Session()
    response = browser.post(
        live_server.url + "/sign-in/ftn",
        data={"csrf_token": csrf(browser, live_server.url)},
        allow_redirects=False,
    )
    request_object = query(response.headers["Location"])["request"]
    head, body, signature = request_object.split(".")
    tampered = f"{head}.{body[:-4]}AAAA.{signature}"
    answer = browser.get(with_param(response.headers["Location"], "request", tampered), allow_redirects=False)
    assert answer.status_code == 400
