"""The access log: who used which client's data, when and why, chained so tampering shows."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, UTCDateTime

ACTOR_ROLES = ("client", "adviser", "staff", "admin", "system", "anonymous")
OUTCOMES = ("ok", "denied", "failed")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


class AccessLogEntry(Base):
    """One append-only row; never the content of answers or documents, only what was touched."""

    __tablename__ = "access_log"
    __table_args__ = (
        # The client's "who has used my data" page reads their rows newest first.
        Index("ix_access_log_client_id_at", "client_id", "at"),
        CheckConstraint(_one_of("actor_role", ACTOR_ROLES), name="actor_role"),
        CheckConstraint(_one_of("outcome", OUTCOMES), name="outcome"),
        CheckConstraint("seq > 0", name="seq_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Gap-free from 1; unique, so two writers that somehow read the same head fail instead of forking.
    seq: Mapped[int] = mapped_column(unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    # No foreign keys: the log must outlive the users and clients it mentions.
    actor_id: Mapped[int | None] = mapped_column()
    actor_role: Mapped[str] = mapped_column(String(16))
    # The organisation the actor acted for at the time; people change employers.
    actor_org: Mapped[str] = mapped_column(String(100), default="")
    client_id: Mapped[int | None] = mapped_column()
    action: Mapped[str] = mapped_column(String(32))
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str | None] = mapped_column(String(64))
    purpose: Mapped[str | None] = mapped_column(String(200))
    request_id: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))
    ip: Mapped[str | None] = mapped_column(String(45))
    mac: Mapped[str] = mapped_column(String(64))
    prev_mac: Mapped[str] = mapped_column(String(64))
    # A list page's one entry names every client it showed, in the order shown ("12,7,31"); the
    # entry's client_id is then empty. Covered by the MAC when present (entries before it have none).
    client_ids: Mapped[str | None] = mapped_column(Text)


class ListView(Base):
    """Which professional saw a client on which list, once a day: what the client's "who has used
    my data" page finds a list view by.

    The chained entry holds every view of a list with all the clients shown. Finding them by client
    needs an index by client, and writing a leaf of it for each client on each reload was most of a
    list page's cost; this row is written only at the first view of a day (a reload inserts nothing),
    and `flask audit verify` checks these rows against the chain both ways.
    """

    __tablename__ = "access_log_list_view"
    # SQLite: the primary key is the table, so a row is one b-tree insert, not two.
    __table_args__ = ({"sqlite_with_rowid": False},)

    client_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    day: Mapped[date] = mapped_column(primary_key=True)  # in Helsinki, as the client reads it
    actor_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    object_type: Mapped[str] = mapped_column(String(64), primary_key=True)
    # The chained entry of the day's first view: who, when, why and from where.
    seq: Mapped[int] = mapped_column()


class AuditChainHead(Base):
    """The single row naming the last entry of the chain.

    It exists for three reasons. Writers update it first, which on SQLite takes the database write
    lock before the head is read, so two writers can never chain onto the same entry. Reading one
    row by key is cheaper than max(seq) on a long log. And it remembers how long the chain was, so
    that deleting the newest rows is noticed, which the chain alone cannot show.
    """

    __tablename__ = "audit_chain_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column()
    mac: Mapped[str] = mapped_column(String(64))
