"""Selects of plain values, run without the ORM's per-statement work, and objects made from them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import Executable, Result, Select, bindparam, select
from sqlalchemy.orm import Session, class_mapper, make_transient_to_detached
from sqlalchemy.orm.util import identity_key

T = TypeVar("T")


def read_values(db: Session, statement: Executable, params: Mapping[str, Any] | None = None) -> Result[Any]:
    """Run a select of columns (never of ORM objects) on the session's own connection.

    Session.execute spends about 40 µs of CPU per statement on ORM bookkeeping that a select of
    values does not need, and list pages and the client overview run several on every visit.
    Pending changes are flushed first, as Session.execute would.
    """
    if db.autoflush:
        db.flush()
    return db.connection().execute(statement, params)


def as_loaded(db: Session, model: type[T], columns: Iterable[Any], values: Sequence[Any]) -> T:
    """The object of a row read as plain values, as if the database session had loaded it.

    The ORM's loading of an entity costs several times the read of its columns. As that loading
    does, the values go straight into a new instance's dictionary (no attribute events, no
    history); make_transient_to_detached gives it the row's identity, and added to the database
    session it is the object that session hands out for the row. A change to it is saved by the
    commit as any loaded object's would be. The caller makes sure the row is not loaded already.
    class_mapper sets the mappers up if nothing has used the ORM yet (a worker's first request).
    """
    found: T = class_mapper(model).class_manager.new_instance()
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
    statement = _BY_ID.get(model)
    if statement is None:
        statement = _BY_ID[model] = columns_of(model).where(model.id == bindparam("id"))  # type: ignore[attr-defined]
    return loaded_one(db, model, statement, {"id": object_id})


_BY_ID: dict[type[Any], Select[Any]] = {}


def columns_of(model: type[Any]) -> Select[Any]:
    """A select of the model's columns, for loaded_one."""
    return select(*model.__table__.c)


def loaded_one(db: Session, model: type[T], statement: Select[Any], params: dict[str, Any]) -> T | None:
    """db.scalar(select(model)...) for a statement of columns_of(model): the first row's object,
    the one this request has loaded already or made from the row (as_loaded)."""
    row = read_values(db, statement, params).first()
    if row is None:
        return None
    known = db.identity_map.get(identity_key(model, row.id))
    if known is not None:
        found: T = known
        return found
    return as_loaded(db, model, model.__table__.c, row)  # type: ignore[attr-defined]
