"""Shared fixtures: an app on a migrated database (SQLite, or PostgreSQL when asked), clean per test."""

from __future__ import annotations

import os
import re
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from html import unescape
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import inspect, make_url, select, text
from sqlalchemy.orm import Session
from werkzeug.serving import BaseWSGIServer, make_server

from portal import create_app
from portal.db import make_engine
from portal.migrations import upgrade
from portal.models import AccessLogEntry, Base
from portal.services.audit import listed_clients

TEST_SECRET = "test-secret-key-that-is-long-enough-for-tests-0123456789"


def pytest_report_header() -> str:
    return f"database: {os.environ.get('PORTAL_TEST_DATABASE_URL') or 'sqlite (temporary file)'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh database built by the migrations, exactly as production builds it."""
    server_url = os.environ.get("PORTAL_TEST_DATABASE_URL")
    if not server_url:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'polku-test.sqlite3'}"
        upgrade(url)
        yield url
        return
    with database_of_our_own(server_url) as url:
        upgrade(url)
        yield url


@contextmanager
def database_of_our_own(server_url: str) -> Iterator[str]:
    """An empty database on the server, dropped afterwards: parallel runs on one server never meet."""
    base = make_url(server_url)
    name = f"{base.database}_{os.getpid()}_{secrets.token_hex(3)}"
    admin = make_engine(server_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def config_for_tests(database_url: str, **overrides: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "ENV": "testing",
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": TEST_SECRET,
        "RATELIMIT_ENABLED": True,
    }
    config.update(overrides)
    return config


@pytest.fixture
def app_config(request: pytest.FixtureRequest, database_url: str) -> dict[str, Any]:
    """The app's configuration; a test overrides entries with indirect parametrisation."""
    return config_for_tests(database_url, **getattr(request, "param", {}))


@pytest.fixture
def app(app_config: dict[str, Any]) -> Iterator[Flask]:
    app = create_app(app_config)
    yield app
    empty_tables(app)
    app.extensions["polku.engine"].dispose()


def empty_tables(app: Flask) -> None:
    with app.extensions["polku.engine"].begin() as connection:
        # A model whose migration is still missing fails the drift test, not every other test.
        existing = set(inspect(connection).get_table_names())
        for table in reversed(Base.metadata.sorted_tables):
            if table.name in existing:
                connection.execute(table.delete())


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def db(app: Flask) -> Iterator[Session]:
    """A session of the test's own; no app context stays pushed, so requests never share `g`."""
    session: Session = app.extensions["polku.sessionmaker"]()
    yield session
    session.close()


@pytest.fixture
def app_context(app: Flask) -> Iterator[None]:
    """For tests that call services directly (never together with test-client requests)."""
    with app.app_context():
        yield


CSRF_PATTERN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    match = CSRF_PATTERN.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1)


SWITCH_TO_SWEDISH = re.compile(r'href="(/language/sv\?next=[^"]*)"')


def switch_to_swedish_on(html: str) -> str:
    """The address of the page's language switch to Swedish."""
    found = SWITCH_TO_SWEDISH.search(html)
    assert found, "no switch to Swedish on the page"
    return unescape(found.group(1))


def lands_in_swedish(browser: FlaskClient, address: str) -> bool:
    """The address, redirects followed, answers with a page in Swedish."""
    page = browser.get(address, follow_redirects=True)
    return page.status_code == 200 and '<html lang="sv">' in page.get_data(as_text=True)


def error_summary_of(html: str) -> str:
    """The error summary box of a page, which a page sent wrong must show."""
    assert 'class="error-summary"' in html, "no error summary on the page"
    return html.split('class="error-summary"')[1].split("</div>")[0]


def lists_logged(db: Session, object_type: str) -> list[list[int]]:
    """The clients each logged view of a list page showed, in the order shown."""
    db.expire_all()
    entries = db.scalars(
        select(AccessLogEntry).where(AccessLogEntry.object_type == object_type).order_by(AccessLogEntry.seq)
    )
    return [listed_clients(entry) for entry in entries]


def post_form(client: FlaskClient, page_url: str, data: dict[str, Any], action: str | None = None) -> Any:
    """Post a form the way a browser does: load the page, take its CSRF token, submit."""
    page = client.get(page_url)
    payload = {"csrf_token": csrf_token_from(page.get_data(as_text=True)), **data}
    return client.post(action or page_url, data=payload)


def searched(browser: FlaskClient, list_url: str, term: str, **fields: str) -> Any:
    """A list searched as its form does it: the term posted, the list shown at ?search=1 (the term
    itself never in an address). A search refused (422) is that answer."""
    # The form's token from the front page: loading the list first would log a view of it.
    token = csrf_token_from(browser.get("/staff").get_data(as_text=True))
    sent = browser.post(list_url, data={"csrf_token": token, "q": term, **fields})
    if sent.status_code != 303:
        return sent
    assert term not in sent.headers["Location"] or not term.strip()
    return browser.get(sent.headers["Location"])


class LiveServer:
    """The app served over real HTTP on loopback, in a thread, for OIDC and browser tests."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> LiveServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture
def live_server(app: Flask) -> Iterator[LiveServer]:
    server = LiveServer(app).start()
    yield server
    server.stop()


# --- People and sessions ---------------------------------------------------------------


@pytest.fixture
def demo(app: Flask, db: Session) -> dict[str, Any]:
    """The demo people from the project's own demo data, in the database."""
    from portal.demo import demo_people, ensure_client, ensure_staff

    people = demo_people()
    with app.app_context():
        found: dict[str, Any] = {p["key"]: ensure_client(db, p) for p in people["client"]}
        found.update({p["key"]: ensure_staff(db, p) for p in people["staff"]})
        db.commit()
    return found


def login_as(app: Flask, browser: FlaskClient, user: Any, **facts: Any) -> str:
    """A signed-in session for a test that is not about signing in (those go through OIDC)."""
    from datetime import UTC, datetime

    from portal.identity.sessions import new_session_row
    from portal.models import Client

    with app.app_context():
        db = app.extensions["polku.sessionmaker"]()
        fields = {"client_id": user.id} if isinstance(user, Client) else {"staff_user_id": user.id}
        fields.update(
            {
                "provider": "ftn" if isinstance(user, Client) else "staff",
                "acr": "http://ftn.ficora.fi/2017/loa2",
                "auth_time": datetime.now(UTC),
            }
        )
        fields.update(facts)
        token, _row = new_session_row(db, {}, **fields)
        db.commit()
        db.close()
    browser.set_cookie(app.config["SESSION_COOKIE_NAME"], token)
    return token


def signed_in(app: Flask, user: Any) -> FlaskClient:
    """A test client of its own, signed in as `user` (see login_as); not signed in for None."""
    browser = app.test_client()
    if user is not None:
        login_as(app, browser, user)
    return browser
