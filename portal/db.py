"""The database engine and a request-scoped session."""

from __future__ import annotations

import select
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from flask import Flask, current_app, g
from sqlalchemy import Engine, Select, bindparam, create_engine, event, exc
from sqlalchemy import select as select_rows
from sqlalchemy.orm import Session, configure_mappers, make_transient_to_detached, sessionmaker
from sqlalchemy.orm.instrumentation import manager_of_class
from sqlalchemy.orm.util import identity_key

T = TypeVar("T")


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
    return engine


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
    if "db" not in g:
        g.db = current_app.extensions["polku.sessionmaker"]()
    session: Session = g.db
    return session


def as_loaded(db: Session, model: type[T], columns: Iterable[Any], values: Sequence[Any]) -> T:
    """The object of a row read as plain values, as if the database session had loaded it.

    The ORM's loading of an entity costs several times the read of its columns. As that loading
    does, the values go straight into a new instance's dictionary (no attribute events, no
    history); make_transient_to_detached gives it the row's identity, and added to the database
    session it is the object that session hands out for the row. A change to it is saved by the
    commit as any loaded object's would be. The caller makes sure the row is not loaded already.
    """
    found: T = manager_of_class(model).new_instance()
    found.__dict__.update(zip((column.key for column in columns), values, strict=True))
    make_transient_to_detached(found)
    db.add(found)
    return found


def by_id(db: Session, model: type[T], object_id: int) -> T | None:
    """Session.get, without the ORM's per-call work: the object this request has loaded already,
    else its row read by a statement built once and made the loaded object (as_loaded).

    Session.get builds its SELECT again at every call and works out the statement's cache key:
    about 110 µs of CPU, against 4 µs for SQLite to find the row. The pages that open one object by
    the id in their address (a questionnaire page, a booking, a time) do this on every request.
    """
    known = db.identity_map.get(identity_key(model, object_id))
    if known is not None:
        found: T = known
        return found
    columns = list(model.__table__.c)  # type: ignore[attr-defined]
    statement = _BY_ID.get(model)
    if statement is None:
        configure_mappers()  # as_loaded makes objects without the ORM's loading, which would do it first
        statement = _BY_ID[model] = select_rows(*columns).where(model.id == bindparam("id"))  # type: ignore[attr-defined]
    if db.autoflush:
        db.flush()
    row = db.connection().execute(statement, {"id": object_id}).first()
    return None if row is None else as_loaded(db, model, columns, row)


_BY_ID: dict[type[Any], Select[Any]] = {}


def close_db(_exc: BaseException | None = None) -> None:
    session = g.pop("db", None)
    if session is not None:
        session.close()
