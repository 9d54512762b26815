"""The access log: appending to the chain (the check that finds tampering is audit_verify).

Each entry carries an HMAC-SHA256 over its own content and the previous entry's MAC. The key
comes from the configuration, never the database, so someone who can edit the tables can break
the chain but cannot mend it. Deleting the newest entries together with rolling back the head row
can only be seen against a head kept elsewhere, which is what `flask audit head` prints.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, cast

from flask import current_app
from sqlalchemy import Connection, Dialect, Select, Table, Update, bindparam, select, text, update
from sqlalchemy.orm import Session

from portal.i18n import HELSINKI
from portal.models.audit import ACTOR_ROLES, OUTCOMES, AccessLogEntry, AuditChainHead, ListView
from portal.models.base import utcnow
from portal.services.reads import driver_run, on_driver, prepared, read_values, write_values

log = logging.getLogger("portal.audit")

GENESIS_MAC = "0" * 64
HEAD_ID = 1
# Any constant will do as long as nothing else in the database uses it: "polku:audit" in ASCII.
ADVISORY_LOCK_KEY = 0x706F6C6B75617564
# Written without the ORM: the entries are only inserted (straight to the driver, see _insert),
# never loaded back as objects. The statements are built once and run prepared (portal.services.reads);
# every professional's page runs them.
ACCESS_LOG_TABLE = cast(Table, AccessLogEntry.__table__)
CHAIN_HEAD_TABLE = cast(Table, AuditChainHead.__table__)


@prepared
def _read_head() -> Select[Any]:
    return select(CHAIN_HEAD_TABLE.c.seq, CHAIN_HEAD_TABLE.c.mac).where(CHAIN_HEAD_TABLE.c.id == HEAD_ID)


@prepared
def _move_head() -> Update:
    return (
        update(CHAIN_HEAD_TABLE)
        .where(CHAIN_HEAD_TABLE.c.id == HEAD_ID)
        .values(seq=bindparam("new_seq"), mac=bindparam("new_mac"))
    )


@prepared
def _lock_and_read_head() -> Update:
    """SQLite: the no-op update takes the database write lock and returns the head it holds."""
    return (
        update(CHAIN_HEAD_TABLE)
        .where(CHAIN_HEAD_TABLE.c.id == HEAD_ID)
        .values(seq=CHAIN_HEAD_TABLE.c.seq)
        .returning(CHAIN_HEAD_TABLE.c.seq, CHAIN_HEAD_TABLE.c.mac)
    )


_ADVISORY_LOCK = text("SELECT pg_advisory_xact_lock(:key)")
# A closed list, so that a typo fails in tests instead of writing an entry nobody searches for.
ACTIONS = frozenset(
    {
        "view",
        "create",
        "change",
        "delete",
        "sign",
        "revoke",
        "export",
        "sign-in",
        "sign-out",
        "failed-authorisation",
    }
)
# Every column the MAC covers, in the order they are documented; id and mac are left out.
MAC_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_role",
    "actor_org",
    "client_id",
    "action",
    "object_type",
    "object_id",
    "purpose",
    "request_id",
    "outcome",
    "ip",
    "prev_mac",
)


@dataclass(frozen=True)
class Actor:
    """Who acted, in which role, for which organisation at that moment, and (acting in a request)
    from which address and in which request: every entry of theirs carries those."""

    id: int | None
    role: str
    org: str = ""
    ip: str | None = None
    request_id: str | None = None

    def __post_init__(self) -> None:
        if self.role not in ACTOR_ROLES:
            raise ValueError(f"unknown actor role {self.role!r}")


SYSTEM = Actor(id=None, role="system")
ANONYMOUS = Actor(id=None, role="anonymous")


@dataclass(frozen=True)
class ChainHead:
    seq: int
    mac: str

    def __str__(self) -> str:
        return f"{self.seq}:{self.mac}"

    @classmethod
    def parse(cls, value: str) -> ChainHead:
        seq, _, mac = value.strip().partition(":")
        if not (seq.isascii() and seq.isdigit()) or len(mac) != 64:
            raise ValueError("a chain head is written SEQ:MAC, as `flask audit head` prints it")
        return cls(int(seq), mac.lower())


def audit_key() -> bytes:
    return str(current_app.config["AUDIT_HMAC_KEY"]).encode()


# The MAC covers json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False):
# the same content always gives the same bytes. A list page writes an entry per client shown, so
# that text is put together here from the fields in sorted order, without a general encoder; a
# unit test holds it equal to json.dumps.
_SORTED_FIELDS = tuple(sorted(MAC_FIELDS))
_encode_text = json.encoder.encode_basestring  # what ensure_ascii=False uses for a string


def _json_value(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return _encode_text(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return int.__repr__(value)
    return json.dumps(value, ensure_ascii=False)  # nothing else is logged today; correct anyway


def _field_value(name: str, value: Any) -> str:
    if name == "at" and isinstance(value, datetime):
        value = value.astimezone(UTC).isoformat(timespec="microseconds")
    return _json_value(value)


# A list page's entry also names the clients it showed. Entries without that list keep the text
# they were first chained with, so the field is covered only where it is present.
_SORTED_LIST_FIELDS = tuple(sorted((*MAC_FIELDS, "client_ids")))


def _mac_names(fields: dict[str, Any]) -> tuple[str, ...]:
    return _SORTED_FIELDS if fields.get("client_ids") is None else _SORTED_LIST_FIELDS


def canonical_text(fields: dict[str, Any]) -> str:
    """The text the MAC is computed over."""
    names = _mac_names(fields)
    return "{" + ",".join(f'"{name}":{_field_value(name, fields[name])}' for name in names) + "}"


def compute_mac(key: bytes, fields: dict[str, Any]) -> str:
    """HMAC-SHA256 over the canonical text of the fields the MAC covers."""
    return hmac.new(key, canonical_text(fields).encode(), hashlib.sha256).hexdigest()


class BatchMacs:
    """compute_mac for the entries of one batch, which share most of their values (the time, the
    actor, the action): those are written into a text pattern once, and each entry fills in only
    the fields that differ, always its seq and prev_mac. A unit test holds the result equal to
    compute_mac."""

    def __init__(self, key: bytes, rows: list[dict[str, Any]]) -> None:
        first = rows[0]
        names = _mac_names(first)
        if any(_mac_names(row) != names for row in rows):
            raise ValueError("a batch is either list entries or other entries, not both")
        self.varying = tuple(
            name
            for name in names
            if name in ("seq", "prev_mac") or any(row[name] != first[name] for row in rows)
        )
        parts = []
        for name in names:
            value = "%s" if name in self.varying else _field_value(name, first[name]).replace("%", "%%")
            parts.append(f'"{name}":{value}')
        self.pattern = "{" + ",".join(parts) + "}"
        self.keyed = hmac.new(key, digestmod=hashlib.sha256)

    def mac(self, row: dict[str, Any]) -> str:
        text = self.pattern % tuple(_field_value(name, row[name]) for name in self.varying)
        found = self.keyed.copy()
        found.update(text.encode())
        return found.hexdigest()


def entry_mac(key: bytes, entry: AccessLogEntry) -> str:
    return compute_mac(key, {name: getattr(entry, name) for name in (*MAC_FIELDS, "client_ids")})


def record_access(
    db: Session,
    *,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: str | int | None = None,
    client_id: int | None = None,
    purpose: str | None = None,
    outcome: str = "ok",
    request_id: str | None = None,
    ip: str | None = None,
) -> AccessLogEntry:
    """Append an entry in the caller's transaction; the caller commits.

    Appends are serialised until that commit, so call this last, just before committing.
    """
    fields = {
        "actor": actor,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "client_id": client_id,
        "purpose": purpose,
        "outcome": outcome,
        "request_id": request_id,
        "ip": ip,
    }
    return AccessLogEntry(**record_accesses(db, [fields])[0])


def record_accesses(db: Session, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Append several entries under one lock, with a constant number of statements (list pages).

    Returns the rows written. They are plain dicts: a list page writes one per client shown, and
    building ORM objects for rows that are only inserted would cost more than the insert.
    """
    for fields in entries:
        if fields["action"] not in ACTIONS:
            raise ValueError(f"unknown access log action {fields['action']!r}")
        if fields.get("outcome", "ok") not in OUTCOMES:
            raise ValueError(f"unknown access log outcome {fields['outcome']!r}")
        if fields.get("client_ids") is not None and (fields["actor"].id is None or fields.get("client_id")):
            raise ValueError(
                "a list is viewed by a signed-in professional, and names its clients only in client_ids"
            )
    if not entries:
        return []
    head = _lock_head(db)
    key = audit_key()
    # Taken under the lock, so time never runs backwards along the chain.
    now = utcnow()
    written = []
    for seq, fields in enumerate(entries, start=head.seq + 1):
        actor: Actor = fields["actor"]
        object_id = fields.get("object_id")
        written.append(
            {
                "seq": seq,
                "at": now,
                "actor_id": actor.id,
                "actor_role": actor.role,
                "actor_org": actor.org,
                "client_id": fields.get("client_id"),
                "action": fields["action"],
                "object_type": fields["object_type"],
                "object_id": None if object_id is None else str(object_id),
                "purpose": fields.get("purpose"),
                "request_id": fields.get("request_id") or actor.request_id,
                "outcome": fields.get("outcome", "ok"),
                "ip": fields.get("ip") or actor.ip,
                "prev_mac": "",
                "client_ids": _id_list(fields.get("client_ids")),
            }
        )
    macs = BatchMacs(key, written)
    previous = head.mac
    for row in written:
        row["prev_mac"] = previous
        row["mac"] = previous = macs.mac(row)
    seq = written[-1]["seq"]
    connection = db.connection()
    _insert(connection, ACCESS_LOG_TABLE, INSERTED, [[row[name] for name in INSERTED] for row in written])
    day = now.astimezone(HELSINKI).date()
    listed = [
        [client_id, day, row["actor_id"], row["object_type"], row["seq"]]
        for row, fields in zip(written, entries, strict=True)
        for client_id in fields.get("client_ids") or ()
    ]
    if listed:
        # Only the first view of a day is kept here; a reload finds its rows and writes nothing.
        _insert(connection, LIST_VIEW_TABLE, LIST_VIEW_COLUMNS, listed, "ON CONFLICT DO NOTHING")
    write_values(connection, _move_head(), {"new_seq": seq, "new_mac": previous})
    db.flush()
    return written


def _id_list(client_ids: list[int] | None) -> str | None:
    if client_ids is None:
        return None
    if not client_ids or len(set(client_ids)) != len(client_ids):
        raise ValueError("a list entry names each client shown once, and at least one")
    return ",".join(str(int(client_id)) for client_id in client_ids)


def listed_clients(entry: AccessLogEntry) -> list[int]:
    return [int(part) for part in entry.client_ids.split(",")] if entry.client_ids else []


# The columns an entry is written with: those the MAC covers, the clients of a list, and the MAC.
INSERTED = (*MAC_FIELDS, "client_ids", "mac")
LIST_VIEW_TABLE = cast(Table, ListView.__table__)
LIST_VIEW_COLUMNS = ("client_id", "day", "actor_id", "object_type", "seq")
_PLACEHOLDERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}  # SQLite's and psycopg's


@lru_cache(maxsize=16)
def _insert_plan(
    dialect: Dialect, table: Table, columns: tuple[str, ...], suffix: str
) -> tuple[str, tuple[tuple[int, Callable[[Any], Any]], ...]]:
    """The INSERT for the dialect, and the columns whose type converts a value for the driver."""
    placeholder = _PLACEHOLDERS[dialect.paramstyle]
    names, values = ", ".join(columns), ", ".join([placeholder] * len(columns))
    # Only the table's own names, placeholders and a constant clause: no value is ever written into the text.
    statement = f"INSERT INTO {table.name} ({names}) VALUES ({values}) {suffix}".rstrip()  # noqa: S608
    processors = (table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns)
    return statement, tuple((index, p) for index, p in enumerate(processors) if p is not None)


def _insert(
    connection: Connection, table: Table, columns: tuple[str, ...], values: list[list[Any]], suffix: str = ""
) -> None:
    """One executemany on the driver's cursor, whatever the number of rows (see driver_run).

    A list page writes a row per client shown, and SQLAlchemy's handling of each row's parameters
    cost more than the database's own insert. Values are converted by their column's type as
    SQLAlchemy would (the time and the day, which the rows of a batch share: once each).
    """
    statement, conversions = _insert_plan(connection.dialect, table, columns, suffix)
    for index, convert in conversions:
        converted: dict[Any, Any] = {None: None}
        for line in values:
            value = line[index]
            if value not in converted:
                converted[value] = convert(value)
            line[index] = converted[value]
    rows = [tuple(line) for line in values]
    if not on_driver(connection) or driver_run(connection, statement, rows, many=True) is None:
        connection.exec_driver_sql(statement, rows)


def record_access_now(db: Session, **fields: Any) -> AccessLogEntry:
    """Append and commit at once, for a request that writes nothing else: a page that only shows
    data, or a refused sign-in (whose own transaction was rolled back first)."""
    entry = record_access(db, **fields)
    db.commit()
    return entry


def _lock_head(db: Session) -> ChainHead:
    """Hold the chain for this transaction, then read its head.

    PostgreSQL: a transaction-scoped advisory lock, released at commit or rollback. Reading the
    head afterwards is safe in READ COMMITTED (the default), where each statement sees what the
    previous holder committed. SQLite: the no-op update takes the database write lock, waiting on
    the busy timeout, and returns the head it holds. Either way the unique seq is the last line of defence.
    """
    # Not the ORM's execute: nothing here is an object, and every professional's page runs these.
    connection = db.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(_ADVISORY_LOCK, {"key": ADVISORY_LOCK_KEY})
        row = read_values(db, _read_head()).one_or_none()
    else:  # the write lock and the head at once
        row = write_values(connection, _lock_and_read_head()).one_or_none()
    if row is not None:
        return ChainHead(row.seq, row.mac)
    # A new database has no head row yet; one that lost it continues from its last entry.
    last = db.execute(
        select(AccessLogEntry.seq, AccessLogEntry.mac).order_by(AccessLogEntry.seq.desc()).limit(1)
    ).one_or_none()
    head = ChainHead(last.seq, last.mac) if last else ChainHead(0, GENESIS_MAC)
    if last is not None:
        log.warning("the access log head row was missing; rebuilt from entry %s", head.seq)
    db.add(AuditChainHead(id=HEAD_ID, seq=head.seq, mac=head.mac))
    db.flush()
    return head


def chain_head(db: Session) -> ChainHead:
    row = db.execute(
        select(AuditChainHead.seq, AuditChainHead.mac).where(AuditChainHead.id == HEAD_ID)
    ).one_or_none()
    return ChainHead(row.seq, row.mac) if row else ChainHead(0, GENESIS_MAC)
