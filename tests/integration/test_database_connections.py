"""Database connections: SQLite's settings, and a pooled connection the server has closed is never
handed to a request."""

from __future__ import annotations

import socket
import time

import pytest
from sqlalchemy import exc, text

from portal.db import _refuse_if_closed_by_server, make_engine
from tests.conftest import login_as

PRAGMAS = ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
OTHER_BACKENDS = (
    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
)


def test_a_socket_the_other_end_has_closed_is_refused_and_an_idle_open_one_is_not():
    ours, server = socket.socketpair()
    with ours:
        _refuse_if_closed_by_server(ours, None, None)  # open and quiet: handed out as it is
        server.close()
        with pytest.raises(exc.DisconnectionError):
            _refuse_if_closed_by_server(ours, None, None)
    with pytest.raises(exc.DisconnectionError):  # closed on our side: no socket at all
        _refuse_if_closed_by_server(ours, None, None)


def test_an_sqlite_database_is_written_ahead_and_each_commit_waits_for_the_disk(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'portal.sqlite3'}")
    try:
        with engine.connect() as connection:
            settings = [connection.execute(text(f"PRAGMA {name}")).scalar() for name in PRAGMAS]
    finally:
        engine.dispose()
    assert settings == ["wal", 2, 1, 30000]  # synchronous 2 is FULL


def test_after_the_database_ends_the_pooled_connections_the_next_page_still_opens(app, db, demo):
    """As after a restart of PostgreSQL: every connection in the pool is closed by the server."""
    if db.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite is a file: there is no server to close a connection")
    browser = app.test_client()
    login_as(app, browser, demo["client_fi"])
    db.execute(text("SELECT 1"))  # the test holds a connection of its own, so the page takes another
    assert browser.get("/home").status_code == 200  # the pool now holds the connection it used

    ended = db.execute(text(f"SELECT pg_terminate_backend(pid) FROM ({OTHER_BACKENDS}) AS b")).all()  # noqa: S608
    assert ended, "the page's connection should have been in the pool"
    deadline = time.monotonic() + 10
    while db.execute(text(OTHER_BACKENDS)).all() and time.monotonic() < deadline:
        time.sleep(0.05)
    db.rollback()

    for _ in range(3):
        page = browser.get("/home")
        assert page.status_code == 200
        assert "Maija" in page.text
