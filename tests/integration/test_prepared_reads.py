"""Statements built once (@prepared) that read_values runs on the driver's cursor.

What a user sees must not depend on which way a read ran: the same pages, rows, names and types
as SQLAlchemy's own execution, and SQLAlchemy's errors. A listener of statements (as the query
counts of the tests and benchmarks attach) makes read_values take SQLAlchemy's own execution, which
is how these tests read both ways.
"""

from __future__ import annotations

import re
from contextlib import nullcontext
from datetime import time

import pytest
from sqlalchemy import exc, text
from sqlalchemy.engine import CursorResult

from portal.i18n import today
from portal.identity.sessions import _session_and_person, hash_token
from portal.services.consent_status import _valid_signatures
from portal.services.questionnaire.answering import _open_responses
from portal.services.reads import read_values
from tests.conftest import login_as
from tests.integration import consent_helpers as consents
from tests.integration.booking_support import book_as_client, may_book, publish_times
from tests.integration.test_page_queries import KIND, client_with_history
from tests.query_count import count_queries

# What changes from one request to the next whichever way the page was read.
PER_REQUEST = (
    (re.compile(r'nonce="[^"]*"'), 'nonce=""'),
    (re.compile(r'name="csrf_token" type="hidden" value="[^"]*"'), 'name="csrf_token"'),
    (re.compile(r'data-session-deadline="\d+"'), "data-session-deadline"),
)


def shown(browser, url: str) -> str:
    page = browser.get(url)
    assert page.status_code == 200, url
    html = page.get_data(as_text=True)
    for pattern, replacement in PER_REQUEST:
        html = pattern.sub(replacement, html)
    return html


@pytest.fixture
def client_with_everything(app, db, demo):
    """A client with pathway notes, answered and open questionnaires, past and coming appointments,
    a signed consent and a pending request, and an adviser who works with them."""
    publish_times(app, db, demo["adviser"], kind=KIND, days=2, start=time(8), end=time(10))
    interviews = publish_times(app, db, demo["adviser"], days=1, start=time(12), end=time(13))
    client, response = client_with_history(app, db, demo["adviser"], 3, first_day=2)
    signed = consents.issue(app, db, demo["staff"], client)
    browser = app.test_client()
    login_as(app, browser, client)
    assert consents.sign(browser, signed, categories=("questionnaire_answers",)).status_code == 303
    consents.issue(app, db, demo["staff"], client, template_key="questionnaire_to_provider")
    may_book(app, db, client, demo["adviser"])
    assert book_as_client(browser, interviews[0]).status_code == 302
    return client, response, browser


def test_the_pages_are_the_same_whichever_way_their_reads_ran(app, demo, client_with_everything):
    client, response, client_browser = client_with_everything
    adviser_browser = app.test_client()
    login_as(app, adviser_browser, demo["adviser"])
    pages = [
        (client_browser, url)
        for url in (
            "/home",
            "/pathway",
            f"/questionnaires/{response.id}/pages/now",
            "/appointments",
            f"/appointments/book/{KIND}",
            "/consents",
        )
    ] + [
        (adviser_browser, url)
        for url in ("/staff/questionnaires", "/staff/clients", f"/staff/clients/{client.id}")
    ]
    for browser, url in pages:
        shown(browser, url)  # the first request after signing in refreshes the session
        with count_queries(app) as seen:
            by_sqlalchemy = shown(browser, url)
        assert seen, url
        assert shown(browser, url) == by_sqlalchemy, url


def test_a_prepared_read_gives_the_rows_names_and_types_sqlalchemy_gives(app, db, client_with_everything):
    client, _response, browser = client_with_everything
    token = browser.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    reads = (
        (_session_and_person(), {"token_hash": hash_token(token)}),  # JSON, bytes, booleans, times
        (_valid_signatures(), {"client_id": client.id, "on": today()}),  # JSON choices, dates
        (_open_responses(), {"client_id": client.id}),  # bytes, an optional time
    )
    for statement, params in reads:
        prepared = read_values(db, statement, params)
        assert not isinstance(prepared, CursorResult)  # it did run prepared
        ours = (list(prepared.keys()), [tuple(row) for row in prepared])
        theirs_result = db.connection().execute(statement, params)
        theirs = (list(theirs_result.keys()), [tuple(row) for row in theirs_result])
        assert ours[1], statement
        assert ours == theirs
        assert [[type(value) for value in row] for row in ours[1]] == [
            [type(value) for value in row] for row in theirs[1]
        ]


def test_with_a_listener_of_statements_sqlalchemy_runs_the_read_and_the_listener_sees_it(app, db, demo):
    with count_queries(app) as seen:
        result = read_values(db, _open_responses(), {"client_id": demo["client_fi"].id})
        assert isinstance(result, CursorResult)
        assert result.all() == []
    assert len(seen) == 1
    assert "questionnaire_response" in seen[0]


def test_with_the_sql_echoed_sqlalchemy_runs_the_read_and_logs_it(app, db, demo, caplog):
    engine = app.extensions["polku.engine"]
    statement, params = _open_responses(), {"client_id": demo["client_fi"].id}
    assert not isinstance(read_values(db, statement, params), CursorResult)  # prepared: no listener
    db.rollback()  # the next read starts a connection of its own, which sees the engine's echo
    engine.echo = True
    try:
        with caplog.at_level("INFO", logger="sqlalchemy.engine"):
            result = read_values(db, statement, params)
            assert isinstance(result, CursorResult)
            assert result.all() == []
    finally:
        db.rollback()
        engine.echo = False
    assert any("FROM questionnaire_response" in record.getMessage() for record in caplog.records)


def test_a_prepared_read_fails_as_sqlalchemy_does(app, db, demo):
    statement, good = _open_responses(), {"client_id": demo["client_fi"].id}
    read_values(db, statement, good).all()  # prepared on this database
    for params in ({}, {"client_id": object()}):
        failures = []
        for listened in (False, True):
            listener = count_queries(app) if listened else nullcontext()
            with listener, pytest.raises(exc.SQLAlchemyError) as failed:
                read_values(db, statement, params).all()
            failures.append(type(failed.value))
            db.rollback()
        assert failures[0] is failures[1], params
    assert read_values(db, statement, good).all() == []


def test_a_connection_the_server_ended_is_retired_and_the_next_read_works(app, db, demo):
    if db.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite is a file: there is no server to end a connection")
    statement, params = _open_responses(), {"client_id": demo["client_fi"].id}
    maker = app.extensions["polku.sessionmaker"]
    with maker() as reading:
        read_values(reading, statement, params).all()
        backend = reading.execute(text("SELECT pg_backend_pid()")).scalar()
        db.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
        db.commit()
        with pytest.raises(exc.DBAPIError) as failed:
            read_values(reading, statement, params).all()
        assert failed.value.connection_invalidated
    with maker() as again:
        assert read_values(again, statement, params).all() == []
