"""Signing in through the real OIDC protocol against the development provider, over HTTP."""

from __future__ import annotations

import base64
import json

import pytest
import requests
from sqlalchemy import func, select

from portal.identity import hetu
from portal.models import AccessLogEntry, Client, StaffUser, UserSession
from tests.integration.oidc_helpers import csrf, query, sign_in

MAIJA = "150385-9013"


def sessions_signed_in(db) -> int:
    db.expire_all()
    return db.scalar(
        select(func.count())
        .select_from(UserSession)
        .where((UserSession.client_id.is_not(None)) | (UserSession.staff_user_id.is_not(None)))
    )


@pytest.mark.parametrize(
    ("hint", "landing", "heading"),
    [
        ("150385-9013", "/home", "Hei, Maija"),
        ("020792-902S", "/home", "Hej, Anna-Lena"),
        ("240600A903E", "/home", "Hei, Veeti"),
        ("051288Y905T", "/home", "Hei, Aino"),
        ("riikka.rantanen@kela.example", "/staff", "Hei, Riikka Rantanen"),
        ("sami.salonen@keusote.example", "/staff", "Hei, Sami Salonen"),
        ("admin@polku.example", "/staff", "Hei, Polku Admin"),
    ],
)
def test_each_demo_person_signs_in_and_lands_on_their_page(live_server, db, demo, hint, landing, heading):
    browser = requests.Session()
    if hint == "020792-902S":
        browser.get(live_server.url + "/language/sv")
        heading = heading  # Swedish page for the Swedish client
    journey = sign_in(live_server.url, hint, browser)
    assert journey.response.status_code == 200
    assert journey.response.url == live_server.url + landing
    assert journey.heading == heading
    assert sessions_signed_in(db) == 1


def test_a_client_is_identified_by_hetu_and_stored_encrypted(live_server, db):
    sign_in(live_server.url, MAIJA)
    sign_in(live_server.url, MAIJA)  # a new transient sub each time: still one client
    clients = db.scalars(select(Client)).all()
    assert len(clients) == 1
    client = clients[0]
    assert client.full_name == "Maija Meikäläinen"
    assert MAIJA.encode() not in client.hetu_encrypted
    assert client.hetu_hash != MAIJA
    assert len(client.hetu_hash) == 64
    with live_server.app.app_context():
        assert hetu.decrypt(client.hetu_encrypted) == MAIJA


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_a_new_client_gets_messages_in_the_language_they_signed_in_with(live_server, db, language):
    browser = requests.Session()
    browser.get(f"{live_server.url}/language/{language}")
    sign_in(live_server.url, MAIJA, browser)
    assert db.scalars(select(Client)).one().locale == language
    # Later visits in the other language keep it: the client changes it in their contact details.
    other = requests.Session()
    other.get(f"{live_server.url}/language/{'sv' if language == 'fi' else 'fi'}")
    sign_in(live_server.url, MAIJA, other)
    db.expire_all()
    assert db.scalars(select(Client)).one().locale == language


def test_a_professional_gets_messages_in_the_language_of_their_latest_sign_in(live_server, db, demo):
    from portal.models import StaffUser

    for language in ("sv", "fi", "sv"):
        browser = requests.Session()
        browser.get(f"{live_server.url}/language/{language}")
        sign_in(live_server.url, "sami.salonen@keusote.example", browser)
        db.expire_all()
        assert db.get(StaffUser, demo["staff"].id).locale == language


def test_the_hetu_never_reaches_the_database_in_clear(live_server, db, app):
    sign_in(live_server.url, MAIJA)
    if app.config["DATABASE_URL"].startswith("sqlite"):
        path = app.config["DATABASE_URL"].removeprefix("sqlite:///")
        app.extensions["polku.engine"].dispose()
        for suffix in ("", "-wal"):
            try:
                with open(path + suffix, "rb") as handle:
                    assert MAIJA.encode() not in handle.read()
            except FileNotFoundError:
                pass
    for table in (Client.__table__, UserSession.__table__, AccessLogEntry.__table__):
        rows = db.execute(select(table)).all()
        assert rows
        dump = str(rows)
        assert MAIJA not in dump
        assert "150385" not in dump


def test_the_session_id_changes_at_sign_in(live_server):
    browser = requests.Session()
    csrf(browser, live_server.url)
    before = browser.cookies.get("polku_session")
    assert before
    journey = sign_in(live_server.url, MAIJA, browser)
    after = journey.browser.cookies.get("polku_session")
    assert after
    assert after != before
    # The old id is worth nothing now.
    planted = requests.Session()
    planted.cookies.set("polku_session", before)
    assert planted.get(live_server.url + "/home", allow_redirects=False).status_code == 302


def test_the_request_object_is_signed_and_carries_pkce_acr_and_language(live_server):
    browser = requests.Session()
    browser.get(live_server.url + "/language/sv")
    response = browser.post(
        live_server.url + "/sign-in/ftn",
        data={"csrf_token": csrf(browser, live_server.url)},
        allow_redirects=False,
    )
    request_object = query(response.headers["Location"])["request"]
    header, claims = (
        json.loads(base64.urlsafe_b64decode(part + "==")) for part in request_object.split(".")[:2]
    )
    assert header["alg"] == "RS256"
    assert header["kid"]
    assert claims["code_challenge_method"] == "S256"
    assert len(claims["code_challenge"]) == 43
    assert claims["acr_values"] == "http://ftn.ficora.fi/2017/loa2"
    assert claims["ui_locales"] == "sv"
    assert claims["state"]
    assert claims["nonce"]
    assert claims["exp"] - claims["iat"] <= 600
    keys = browser.get(live_server.url + "/.well-known/jwks.json").json()["keys"]
    assert {key["use"] for key in keys} == {"sig", "enc"}
    assert header["kid"] in {key["kid"] for key in keys}
    assert all("d" not in key for key in keys)


def test_the_provider_page_lists_every_test_person_by_name(live_server):
    browser = requests.Session()
    response = browser.post(
        live_server.url + "/sign-in/ftn",
        data={"csrf_token": csrf(browser, live_server.url)},
        allow_redirects=False,
    )
    page = browser.get(response.headers["Location"]).text
    for name in ["Maija Meikäläinen", "Anna-Lena Björkqvist", "Veeti Šalin", "Aino Ylönen"]:
        assert name in page


def test_choosing_a_person_on_the_provider_page_signs_them_in(live_server, db):
    browser = requests.Session()
    response = browser.post(
        live_server.url + "/sign-in/ftn",
        data={"csrf_token": csrf(browser, live_server.url)},
        allow_redirects=False,
    )
    page = browser.get(response.headers["Location"])
    form_token = csrf(browser, live_server.url, response.headers["Location"].removeprefix(live_server.url))
    request_object = query(response.headers["Location"])["request"]
    done = browser.post(
        live_server.url + "/dev-idp/ftn/authorize",
        data={"csrf_token": form_token, "request": request_object, "person": "client_young", "level": "high"},
    )
    assert page.status_code == 200
    assert done.url == live_server.url + "/home"
    assert "Veeti" in done.text
    row = db.scalars(select(UserSession).where(UserSession.client_id.is_not(None))).one()
    assert row.acr == "http://ftn.ficora.fi/2017/loa3"


def test_sign_in_and_sign_out_are_logged_without_the_hetu(live_server, db):
    journey = sign_in(live_server.url, MAIJA)
    journey.browser.post(
        live_server.url + "/sign-out", data={"csrf_token": csrf(journey.browser, live_server.url, "/home")}
    )
    entries = db.scalars(select(AccessLogEntry).order_by(AccessLogEntry.seq)).all()
    assert [entry.action for entry in entries] == ["sign-in", "sign-out"]
    assert all(MAIJA not in str(vars(entry)) for entry in entries)


def test_sign_out_ends_the_session_here_and_at_the_provider(live_server, db):
    journey = sign_in(live_server.url, MAIJA)
    browser = journey.browser
    response = browser.post(
        live_server.url + "/sign-out",
        data={"csrf_token": csrf(browser, live_server.url, "/home")},
        allow_redirects=False,
    )
    assert response.status_code == 302
    assert "polku_session=;" in response.headers["Set-Cookie"]
    assert sessions_signed_in(db) == 0
    end_session = response.headers["Location"]
    assert end_session.startswith(live_server.url + "/dev-idp/ftn/end-session?")
    params = query(end_session)
    assert params["post_logout_redirect_uri"] == live_server.url + "/signed-out"
    assert "id_token_hint" not in params  # it would carry the hetu into URL logs
    final = browser.get(end_session)
    assert final.url.startswith(live_server.url + "/signed-out")
    assert "Olet kirjautunut ulos" in final.text
    assert browser.get(live_server.url + "/home", allow_redirects=False).status_code == 302


def test_sign_out_everywhere_ends_every_session_of_the_person(live_server, db):
    phone = sign_in(live_server.url, MAIJA).browser
    laptop = sign_in(live_server.url, MAIJA).browser
    other = sign_in(live_server.url, "020792-902S").browser
    assert sessions_signed_in(db) == 3
    laptop.post(
        live_server.url + "/sign-out/everywhere", data={"csrf_token": csrf(laptop, live_server.url, "/home")}
    )
    assert phone.get(live_server.url + "/home", allow_redirects=False).status_code == 302
    assert other.get(live_server.url + "/home", allow_redirects=False).status_code == 200
    assert sessions_signed_in(db) == 1


def test_an_unknown_staff_member_gets_no_access_and_no_session(live_server, app, db):
    app.config["DEV_IDP_MISCHIEF"] = {
        "claims": {"groups": [], "email": "stranger@kela.example", "oid": "stranger", "sub": "stranger"}
    }
    journey = sign_in(live_server.url, "riikka.rantanen@kela.example")
    assert journey.response.status_code == 403
    assert journey.heading == "Sinulla ei ole pääsyä Polkuun"
    assert sessions_signed_in(db) == 0


def test_a_role_granted_by_the_admin_command_gives_access(live_server, app, db):
    app.config["DEV_IDP_MISCHIEF"] = {
        "claims": {"groups": [], "email": "uusi@keusote.example", "oid": "new-person", "sub": "new-person"}
    }
    assert sign_in(live_server.url, "sami.salonen@keusote.example").response.status_code == 403
    result = app.test_cli_runner().invoke(args=["users", "grant", "uusi@keusote.example", "staff"])
    assert result.exit_code == 0, result.output
    journey = sign_in(live_server.url, "sami.salonen@keusote.example")
    assert journey.response.status_code == 200, journey.heading
    assert journey.response.url == live_server.url + "/staff"


def test_someone_else_showing_a_staff_members_e_mail_does_not_get_their_account(live_server, app, db, demo):
    assert sign_in(live_server.url, "sami.salonen@keusote.example").response.status_code == 200
    db.expire_all()
    bound = db.get(StaffUser, demo["staff"].id).provider_subject
    assert bound is not None
    # Another identity at the provider with the same e-mail claim, and even the staff group.
    app.config["DEV_IDP_MISCHIEF"] = {
        "claims": {
            "groups": ["polku-staff"],
            "email": "Sami.Salonen@keusote.example",
            "oid": "other",
            "sub": "other",
        }
    }
    journey = sign_in(live_server.url, "sami.salonen@keusote.example")
    assert journey.response.status_code == 403
    assert journey.heading == "Sinulla ei ole pääsyä Polkuun"
    db.expire_all()
    assert db.get(StaffUser, demo["staff"].id).provider_subject == bound
    assert db.scalar(select(func.count()).select_from(StaffUser).where(StaffUser.email.ilike("sami%"))) == 1
    refused = db.scalars(select(AccessLogEntry).where(AccessLogEntry.action == "failed-authorisation")).all()
    assert [entry.purpose for entry in refused] == [
        "staff sign-in by the e-mail of an account bound to another identity"
    ]


def test_the_grant_command_refuses_an_unknown_role(app):
    result = app.test_cli_runner().invoke(args=["users", "grant", "x@kela.example", "superuser"])
    assert result.exit_code != 0
    assert "unknown role" in result.output


def test_next_page_is_kept_through_sign_in(live_server):
    browser = requests.Session()
    response = browser.get(live_server.url + "/staff", allow_redirects=False)
    assert response.headers["Location"] == "/sign-in?next=/staff"
    page = browser.get(live_server.url + response.headers["Location"]).text
    assert 'name="next" value="/staff"' in page
    token = csrf(browser, live_server.url, "/sign-in?next=/staff")
    start = browser.post(
        live_server.url + "/sign-in/staff",
        data={"csrf_token": token, "login_hint": "sami.salonen@keusote.example", "next": "/staff"},
    )
    assert start.status_code == 200, start.text[:3000]
    assert start.url == live_server.url + "/staff"


def test_sign_in_start_is_rate_limited(live_server, app):
    app.config["RATELIMIT_SIGN_IN"] = "3 per minute"
    browser = requests.Session()
    token = csrf(browser, live_server.url)
    codes = [
        browser.post(
            live_server.url + "/sign-in/ftn", data={"csrf_token": token}, allow_redirects=False
        ).status_code
        for _ in range(4)
    ]
    assert codes == [302, 302, 302, 429]
