"""The access log: who used which client's data, when and why, chained so tampering shows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, String
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
