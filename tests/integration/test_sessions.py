"""Server-side sessions under a controlled clock: idle timeout, absolute lifetime, what the cookie holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from portal.models import UserSession
from tests.conftest import login_as

START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.fixture
def maija_browser(app, demo):
    with time_machine.travel(START, tick=False):
        browser = app.test_client()
        login_as(app, browser, demo["client_fi"])
    return browser


def home_status(browser) -> int:
    return browser.get("/home").status_code


def test_the_cookie_holds_only_a_random_id_and_the_database_only_its_hash(app, db, demo):
    browser = app.test_client()
    token = login_as(app, browser, demo["client_fi"])
    assert len(token) >= 40
    assert token.replace("-", "").replace("_", "").isalnum()
    assert db.scalar(select(UserSession.token_hash)) != token
    cookie = browser.get("/home").headers.get("Set-Cookie", "")
    assert "Maija" not in cookie
    assert "150385" not in cookie


def test_the_cookie_is_httponly_samesite_lax_and_host_prefixed_and_secure_in_production(app, demo):
    from portal.security import init_app as _  # noqa: F401 - the settings are applied at create_app

    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    browser = app.test_client()
    token_page = browser.get("/accessibility/feedback")
    cookie = token_page.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_a_session_survives_activity_and_ends_after_30_idle_minutes(maija_browser):
    with time_machine.travel(START + timedelta(minutes=20), tick=False):
        assert home_status(maija_browser) == 200
    with time_machine.travel(START + timedelta(minutes=49), tick=False):
        assert home_status(maija_browser) == 200  # 29 minutes after the last request
    with time_machine.travel(START + timedelta(minutes=80), tick=False):
        response = maija_browser.get("/home")
        assert response.status_code == 302
        page = maija_browser.get(response.headers["Location"]).get_data(as_text=True)
        assert "Tallentamasi vastaukset ovat tallessa" in page or "kirjattiin ulos" in page


def test_a_session_ends_at_its_absolute_lifetime_even_when_active(maija_browser):
    for minutes in range(20, 12 * 60, 20):
        with time_machine.travel(START + timedelta(minutes=minutes), tick=False):
            assert home_status(maija_browser) == 200, minutes
    with time_machine.travel(START + timedelta(hours=12, minutes=1), tick=False):
        assert home_status(maija_browser) == 302


def test_extending_the_session_without_javascript_returns_to_the_page(app, maija_browser):
    from tests.conftest import csrf_token_from

    with time_machine.travel(START + timedelta(minutes=25), tick=False):
        token = csrf_token_from(maija_browser.get("/home").get_data(as_text=True))
        response = maija_browser.post("/session/extend", data={"csrf_token": token, "next": "/home"})
        assert response.status_code == 302
        assert response.headers["Location"] == "/home"
    with time_machine.travel(START + timedelta(minutes=54), tick=False):
        assert home_status(maija_browser) == 200


def test_extending_with_javascript_answers_no_content(app, maija_browser):
    from tests.conftest import csrf_token_from

    with time_machine.travel(START + timedelta(minutes=5), tick=False):
        token = csrf_token_from(maija_browser.get("/home").get_data(as_text=True))
        response = maija_browser.post(
            "/session/extend", headers={"X-CSRFToken": token, "X-Requested-With": "fetch"}
        )
        assert response.status_code == 204


def test_the_page_tells_when_the_idle_warning_is_due(app, maija_browser):
    with time_machine.travel(START + timedelta(minutes=10), tick=False):
        page = maija_browser.get("/home").get_data(as_text=True)
    assert 'data-session-deadline="1801"' in page  # a second after the server ends the session
    assert 'data-session-warning="120"' in page
    assert "Jatka asiointia" in page
    assert "sinut kirjataan ulos noin 2 minuutin kuluttua" in page, "how long is left, not only soon"


@pytest.fixture
def limits_from_the_environment(monkeypatch):
    """As the README sets them: the environment's text, before the app is made."""
    monkeypatch.setenv("PORTAL_SESSION_IDLE_MINUTES", "3")
    monkeypatch.setenv("PORTAL_SESSION_WARNING_SECONDS", "150")


def test_session_limits_set_in_the_environment_are_used_on_every_page(limits_from_the_environment, app, demo):
    browser = app.test_client()
    login_as(app, browser, demo["client_fi"])
    with time_machine.travel(datetime.now(UTC), tick=False):
        response = browser.get("/my-data/contact")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'data-session-deadline="181"' in page
    assert 'data-session-warning="150"' in page


def test_expired_sessions_are_purged(app, db, demo):
    with time_machine.travel(START, tick=False):
        login_as(app, app.test_client(), demo["client_fi"])
    with time_machine.travel(START + timedelta(hours=1), tick=False):
        result = app.test_cli_runner().invoke(args=["sessions", "purge"])
    assert "Removed 1 expired sessions" in result.output
    db.expire_all()
    assert db.scalars(select(UserSession)).all() == []


def test_anonymous_visitors_get_no_session_until_a_form_needs_one(client, db):
    response = client.get("/")
    assert "Set-Cookie" not in response.headers
    assert db.scalars(select(UserSession)).all() == []


@pytest.mark.parametrize("who", ["client_fi", "adviser"])
def test_the_signed_in_person_read_with_the_session_is_the_requests_own_loaded_object(app, db, demo, who):
    """open_session reads the person's columns and makes them the database session's object for
    that row: unchanged (nothing to write), with a professional's roles, and saved when changed."""
    from sqlalchemy import inspect

    from portal.db import get_db
    from portal.identity.access import current_user
    from portal.models import Client, StaffUser

    person = demo[who]
    token = login_as(app, app.test_client(), person)
    cookie = f"{app.config['SESSION_COOKIE_NAME']}={token}"
    with app.test_request_context("/home", headers={"Cookie": cookie}):
        user = current_user()
        request_db = get_db()
        assert user is not None
        assert user.id == person.id
        assert type(user) is type(person)
        state = inspect(user)
        assert state.persistent
        assert not state.modified
        assert not request_db.new
        assert not request_db.dirty
        assert request_db.get(type(person), person.id) is user  # no second object for the row
        if isinstance(user, StaffUser):
            assert user.role_names == {"adviser"}
            assert all(inspect(role).persistent for role in user.roles)
            user.name = "Aino Uusinimi"
        else:
            assert isinstance(user, Client)
            assert user.full_name == person.full_name
            assert user.hetu_hash == person.hetu_hash
            user.given_name = "Uusinimi"
        request_db.commit()
    db.expire_all()
    saved = db.get(type(person), person.id)
    if who == "adviser":
        assert saved.name == "Aino Uusinimi"
    else:
        assert saved.given_name == "Uusinimi"


@pytest.mark.parametrize("who", ["client_fi", "adviser"])
def test_a_new_worker_whose_first_request_carries_a_session_serves_it(app, app_config, demo, who):
    """After a restart, the first request a worker process gets may come with a session cookie,
    before anything there has used the ORM (the person is made without the ORM's loading, which
    would set the mappers up): a process of its own, as a restarted worker is."""
    import json
    import subprocess
    import sys

    token = login_as(app, app.test_client(), demo[who])
    page = "/home" if who == "client_fi" else "/staff/clients"
    script = (
        "import json, sys\n"
        "from portal import create_app\n"
        "config, token, page = json.loads(sys.argv[1])\n"
        "app = create_app(config)\n"
        "browser = app.test_client()\n"
        "browser.set_cookie(app.config['SESSION_COOKIE_NAME'], token)\n"
        "print(browser.get(page).status_code)\n"
    )
    config = {key: value for key, value in app_config.items() if isinstance(value, str | bool | int)}
    ran = subprocess.run(
        [sys.executable, "-c", script, json.dumps([config, token, page])],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ran.stdout.strip() == "200", ran.stderr[-2000:]
