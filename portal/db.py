"""The database engine and a request-scoped session."""

from __future__ import annotations

import select
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.orm import Session, sessionmaker

from portal.context import current_application, kept_for_request


def make_engine(url: str, echo: bool = False) -> Engine:
    options: dict[str, Any] = {"echo": echo, "future": True}
    if url.startswith("sqlite"):
        # Several threads (the dev server, tests) share the file; waiting beats failing.
        options["connect_args"] = {"check_same_thread": False, "timeout": 30}
    engine = create_engine(url, **options)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        event.listen(engine, "checkout", _refuse_if_closed_by_server)
    if engine.dialect.driver == "psycopg":
        event.listen(engine, "do_connect", _keeping_prepared)
    return engine


def _keeping_prepared(_dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
    """Connections to PostgreSQL that keep their prepared statements from page to page."""
    from portal import postgres  # psycopg is installed only where PostgreSQL is used

    return postgres.connect(*cargs, **cparams)


def _refuse_if_closed_by_server(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Replace a pooled connection the server has closed (a restart, an idle timeout) before use.

    The server speaks only when asked, so a healthy idle connection has nothing to read, while one
    it has closed has its last message and the end of the stream waiting. One look at the socket
    tells, without the round trip of SQLAlchemy's pre-ping (about 7 % of a client page's CPU on
    PostgreSQL, and a turn of the server's process for every request). The pool takes the error as
    its cue to open a new connection.
    """
    try:
        waiting = select.poll()
        waiting.register(dbapi_connection.fileno(), select.POLLIN)
        closed = bool(waiting.poll(0))
    except Exception as error:  # a connection the driver already knows to be broken has no socket
        raise exc.DisconnectionError("the database connection is broken") from error
    if closed:
        raise exc.DisconnectionError("the database closed this connection")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    # Every commit waits until it is on disk, SQLite's own default written out so that it is a
    # decision: a saved answer, a signature or an access-log entry survives a power cut. NORMAL
    # keeps the database whole but may lose the last commits. (Measured side by side under gunicorn
    # with bench.compare: NORMAL would take about 0.1 off the review queue's CPU ratio of ~2.2.)
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"], app.config["DATABASE_ECHO"])
    app.extensions["polku.engine"] = engine
    app.extensions["polku.sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(close_db)


def get_engine() -> Engine:
    engine: Engine = current_app.extensions["polku.engine"]
    return engine


def get_db() -> Session:
    """The session of this request (or CLI command), closed at teardown."""
    return kept_for_request("db", _open_session)


def _open_session() -> Session:
    session: Session = current_application().extensions["polku.sessionmaker"]()
    return session


def close_db(_exc: BaseException | None = None) -> None:
    session = g.pop("db", None)
    if session is not None:
        session.close()
