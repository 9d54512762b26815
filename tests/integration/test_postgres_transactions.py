"""On PostgreSQL a transaction that only read ends with COMMIT, so the statements of the pages stay
prepared on the server; anything written and not committed is still undone."""

from __future__ import annotations

from contextlib import ExitStack

import pytest
from sqlalchemy import exc, text

from portal.models import Feedback
from portal.postgres import is_read
from tests.conftest import login_as

PREPARED = "SELECT statement FROM pg_prepared_statements"


@pytest.fixture
def postgresql(db):
    if db.get_bind().dialect.name != "postgresql":
        pytest.skip("prepared statements of a server: SQLite has none to keep")


@pytest.mark.parametrize(
    ("statement", "reads"),
    [
        ("SELECT 1", True),
        ("\n  select client.id FROM client", True),
        (b"SELECT pg_advisory_xact_lock(1)", True),
        ("SELECTED", False),
        ("WITH moved AS (UPDATE client SET locale = 'fi' RETURNING id) SELECT * FROM moved", False),
        ("INSERT INTO feedback (message) VALUES ('x')", False),
        ("UPDATE client SET locale = 'sv'", False),
        ("DELETE FROM client", False),
        ("SAVEPOINT sa_savepoint_1", False),
        (None, False),
    ],
)
def test_only_a_select_counts_as_a_read(statement, reads):
    assert is_read(statement) is reads


def test_the_statements_of_a_page_that_only_reads_stay_prepared_on_the_server(app, db, demo, postgresql):
    browser = app.test_client()
    login_as(app, browser, demo["client_fi"])
    for _ in range(12):  # psycopg prepares a statement on its fifth run on a connection (of two)
        page = browser.get("/pathway")
        assert page.status_code == 200
        assert "Maija" in page.text
    engine = app.extensions["polku.engine"]
    kept = []
    with ExitStack() as pooled:  # each connection in the pool, the pages' among them
        for _ in range(engine.pool.checkedin()):
            connection = pooled.enter_context(engine.connect())
            kept += connection.execute(text(PREPARED)).scalars().all()
    # Before, every page ended with a rollback, after which psycopg forgets what it prepared.
    assert any("FROM user_session" in statement for statement in kept), kept
    assert any("FROM pathway" in statement for statement in kept), kept


def test_what_was_written_and_not_committed_is_undone(app, db, postgresql):
    engine = app.extensions["polku.engine"]
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
        connection.exec_driver_sql(
            "INSERT INTO feedback (message_encrypted, locale, topic, created_at)"
            " VALUES ('\\x00', 'fi', 'other', now())"
        )
        connection.execute(text("SELECT 1"))  # a read after the write: still a writing transaction
    session = app.extensions["polku.sessionmaker"]()
    session.add(Feedback(message_encrypted=b"flushed, not committed", locale="sv", topic="other"))
    session.flush()
    session.close()
    assert db.execute(text("SELECT count(*) FROM feedback")).scalar() == 0


def test_a_read_that_failed_is_rolled_back_and_the_connection_goes_on(app, db, postgresql):
    engine = app.extensions["polku.engine"]
    with engine.connect() as connection, pytest.raises(exc.DataError, match="division by zero"):
        connection.execute(text("SELECT 1 / 0"))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT 2")).scalar() == 2
