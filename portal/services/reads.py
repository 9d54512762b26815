"""Statements of plain values, run without the ORM's per-statement work, and objects made from them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache, wraps
from typing import Any, ParamSpec, TypeVar, cast

from sqlalchemy import Connection, Dialect, Executable, Result, Select, Update, bindparam, exc, select
from sqlalchemy.engine import BindTyping
from sqlalchemy.engine.result import IteratorResult, SimpleResultMetaData
from sqlalchemy.orm import Session, class_mapper
from sqlalchemy.orm.attributes import instance_state
from sqlalchemy.orm.util import identity_key
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.selectable import CompoundSelect

T = TypeVar("T")
P = ParamSpec("P")
Statement = Select[Any] | CompoundSelect[Any] | Update
S = TypeVar("S", bound=Statement)


def read_values(db: Session, statement: Executable, params: Mapping[str, Any] | None = None) -> Result[Any]:
    """Run a select of columns (never of ORM objects) on the session's own connection.

    Session.execute spends about 40 µs of CPU per statement on ORM bookkeeping that a select of
    values does not need, and list pages and the client overview run several on every visit.
    Pending changes are flushed first, as Session.execute would. A statement built by a function
    marked @prepared runs on the driver's cursor (_Prepared).
    """
    if db.autoflush:
        db.flush()
    return _run(db.connection(), statement, params or {})


def write_values(
    connection: Connection, statement: Executable, params: Mapping[str, Any] | None = None
) -> Result[Any]:
    """An UPDATE of plain values (with RETURNING, if it has one) on a connection, in its
    transaction, as read_values runs a select. The access log's chain head is moved so on every
    page a professional opens."""
    return _run(connection, statement, params or {})


def _run(connection: Connection, statement: Executable, params: Mapping[str, Any]) -> Result[Any]:
    kept = _PREPARED.get(id(statement))
    if kept is not None:
        found = kept.run(connection, params)
        if found is not None:
            return found
    return connection.execute(statement, params)


def on_driver(connection: Connection) -> bool:
    """Whether a statement may skip SQLAlchemy's execution: nobody listens to statements (the query
    counts of the tests and benchmarks) and the SQL is not echoed.

    Asked as SQLAlchemy asks before each statement it runs: first whether the connection or its
    engine has ever had a listener of its events (a flag, set when one is added), and only then
    which. Each look at a kind of listener goes through a method of Python, three a statement.
    """
    if connection._has_events or connection.engine._has_events:
        dispatch = connection.dispatch
        if dispatch.before_cursor_execute or dispatch.after_cursor_execute:
            return False
    return not connection._echo


def driver_run(
    connection: Connection, sql: str, parameters: Any, *, many: bool = False
) -> tuple[Sequence[Any], Any] | None:
    """Run SQL on the driver's cursor of the connection, in its transaction: the rows (none for a
    statement that returns none) and the cursor's description.

    A lost connection gives None: SQLAlchemy's own run of the statement then meets it again and
    retires the connection, as it always does. Any other failure is raised as SQLAlchemy raises
    it: a StatementError, or the driver's error as the DBAPIError subclass of the same name.
    """
    dialect = connection.dialect
    driver = connection.connection
    cursor = driver.cursor()
    try:
        if many:
            cursor.executemany(sql, parameters)
        else:
            cursor.execute(sql, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description is not None else []
    except Exception as error:
        if isinstance(error, dialect.loaded_dbapi.Error) and dialect.is_disconnect(
            error, driver.dbapi_connection, cursor
        ):
            return None
        raise _reported(connection, sql, parameters, error) from error
    finally:
        cursor.close()
    return rows, description


def _reported(connection: Connection, sql: str, parameters: Any, error: Exception) -> exc.StatementError:
    """The error as SQLAlchemy reports a statement's failure, the engine's hide_parameters applied."""
    return exc.DBAPIError.instance(
        sql,
        parameters,
        error,
        connection.dialect.loaded_dbapi.Error,
        hide_parameters=connection.engine.hide_parameters,
        dialect=connection.dialect,
    )


class _Prepared:
    """A select (or an UPDATE) built once, with its SQL text, parameters and result types worked out
    once for each database, run on the driver's cursor.

    SQLAlchemy's execution of an already compiled statement (its context, cache look-up and result
    set-up) costs several times SQLite's own work for the small reads of a page: about 50 µs of CPU
    against 10 on the benchmark machine, six times on a client's front page. The same conversions are done
    here as SQLAlchemy does them (bind and result processors of the columns' types). Whenever
    SQLAlchemy has more to do than this, the ordinary execution runs instead: a statement with
    parameters it expands at execution (IN lists) or names it escapes, a driver that wants the
    parameters' types, listeners of statements, and echoed SQL (on_driver). Errors and a lost
    connection are handled as driver_run says.
    """

    def __init__(self, statement: Statement) -> None:
        self.statement = statement
        self.forms: dict[str, _Form | None] = {}

    def run(self, connection: Connection, params: Mapping[str, Any]) -> Result[Any] | None:
        if not on_driver(connection):
            return None
        dialect = connection.dialect
        if dialect.name in self.forms:
            form = self.forms[dialect.name]
        else:
            form = self.forms[dialect.name] = _Form.of(self.statement, dialect)
        return None if form is None else form.run(connection, params)


class _Form:
    """A prepared statement's text and conversions on one kind of database."""

    @classmethod
    def of(cls, statement: Statement, dialect: Dialect) -> _Form | None:
        compiled = statement.compile(dialect=dialect)
        if (
            not isinstance(compiled, SQLCompiler)
            or compiled.post_compile_params
            or compiled.literal_execute_params
            or compiled.escaped_bind_names
            or dialect.bind_typing is BindTyping.SETINPUTSIZES
        ):
            return None
        return cls(statement, compiled, dialect)

    def __init__(self, statement: Statement, compiled: SQLCompiler, dialect: Dialect) -> None:
        self.compiled = compiled
        self.sql = compiled.string
        self.names = tuple(compiled.positiontup or ()) if compiled.positional else None
        self.binds = {
            name: processor
            for name, bind in compiled.binds.items()
            if (processor := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None
        }
        self.columns = statement.exported_columns  # a select's columns, an update's RETURNING
        self.keys = SimpleResultMetaData(cast(list[str], list(self.columns.keys())))
        # The columns whose type converts what the driver returns, by position: after the first run.
        self.results: tuple[tuple[int, Callable[[Any], Any]], ...] | None = None

    def run(self, connection: Connection, params: Mapping[str, Any]) -> Result[Any] | None:
        try:
            values = self.compiled.construct_params(params, escape_names=False)
            for name, processor in self.binds.items():
                values[name] = processor(values[name])
        except Exception as error:  # a parameter missing or of a type that cannot be bound
            raise _reported(connection, self.sql, dict(params), error) from error
        ran = driver_run(
            connection, self.sql, [values[name] for name in self.names] if self.names is not None else values
        )
        if ran is None:
            return None
        rows, description = ran
        if description is None:
            return IteratorResult(self.keys, iter(()))
        if self.results is None:
            dialect = connection.dialect
            processors = (
                column.type.dialect_impl(dialect).result_processor(dialect, described[1])
                for column, described in zip(self.columns, description, strict=True)
            )
            self.results = tuple((index, p) for index, p in enumerate(processors) if p is not None)
        if self.results:
            rows = [_converted(self.results, row) for row in rows]
        return IteratorResult(self.keys, iter(rows))


def _converted(
    processors: tuple[tuple[int, Callable[[Any], Any]], ...], row: Sequence[Any]
) -> tuple[Any, ...]:
    values = list(row)
    for index, processor in processors:
        values[index] = processor(values[index])
    return tuple(values)


_PREPARED: dict[int, _Prepared] = {}


def prepared(build: Callable[P, S]) -> Callable[P, S]:
    """functools.cache for a function that builds a select for read_values (or an UPDATE for
    write_values), which then runs it prepared (see _Prepared). Only for statements built once:
    each is kept for good."""

    @cache
    @wraps(build)
    def kept(*args: P.args, **kwargs: P.kwargs) -> S:
        statement = build(*args, **kwargs)
        _PREPARED[id(statement)] = _Prepared(statement)
        return statement

    return kept  # type: ignore[return-value]


def as_loaded(db: Session, model: type[T], columns: Iterable[Any], values: Sequence[Any]) -> T:
    """The object of a row read as plain values, as if the database session had loaded it.

    The ORM's loading of an entity costs several times the read of its columns. This does what that
    loading does for a new row: the values go straight into a new instance's dictionary (no
    attribute events, no history), the instance gets the row's identity and joins the database
    session's identity map, so it is the object that session hands out for the row, and a change to
    it is saved by the commit as any loaded object's would be. (make_transient_to_detached and
    Session.add did the same with save-update cascades and attach events on top: about 30 µs of CPU
    an object, and every signed-in page makes one or two.) The caller makes sure the row is not
    loaded already. class_mapper sets the mappers up if nothing has used the ORM yet (a worker's
    first request).
    """
    mapper = class_mapper(model)
    found: T = mapper.class_manager.new_instance()
    state = instance_state(found)
    state.dict.update(zip((column.key for column in columns), values, strict=True))
    state.key = mapper.identity_key_from_instance(found)
    state.session_id = db.hash_key
    db.identity_map.add(state)  # raises, as Session.add would, if another object has the row
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
    return loaded_one(db, model, _by_id_of(model), {"id": object_id})


@prepared
def _by_id_of(model: type[Any]) -> Select[Any]:
    return columns_of(model).where(model.id == bindparam("id"))


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
