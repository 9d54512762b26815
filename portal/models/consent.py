"""Digital consent: requests issued by staff, the sealed evidence of a signature, and what happened since."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    DDL,
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, UTCDateTime, utcnow
from portal.models.identity import Client, StaffUser


class ConsentStatus(StrEnum):
    """The stored state of a request. "Expired" is never stored: it follows from the dates."""

    PENDING = "pending"
    SIGNED = "signed"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    REVOKED = "revoked"


class ConsentEventKind(StrEnum):
    ISSUED = "issued"
    REMINDED = "reminded"
    CANCELLED = "cancelled"
    REISSUED = "reissued"
    SIGNED = "signed"
    DECLINED = "declined"
    REVOKED = "revoked"


LOCALES = ("fi", "sv")


def _one_of(column: str, values: Any) -> str:
    return f"{column} IN ({', '.join(repr(str(value)) for value in values)})"


class ConsentRequest(Base):
    """A consent template (a fixed key and version) that a professional asked one client to sign."""

    __tablename__ = "consent_request"
    __table_args__ = (
        CheckConstraint(_one_of("status", ConsentStatus), name="status"),
        CheckConstraint("template_version >= 1", name="template_version_positive"),
        Index("ix_consent_request_client_id_status", "client_id", "status"),
        Index("ix_consent_request_issued_by_id_status", "issued_by_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"))
    template_key: Mapped[str] = mapped_column(String(64))
    template_version: Mapped[int] = mapped_column(Integer)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    # The professional's message to the client, sealed (portal.services.consent.MESSAGE_CONTEXT):
    # free text, which can tell of health.
    message_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The last day the client can sign; after it an unsigned request has expired.
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default=ConsentStatus.PENDING.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Every change of status bumps it, in the same conditional UPDATE that checks the old status.
    version: Mapped[int] = mapped_column(Integer, default=1)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reissued_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("consent_request.id", ondelete="SET NULL")
    )

    client: Mapped[Client] = relationship(foreign_keys=[client_id])
    issued_by: Mapped[StaffUser | None] = relationship(foreign_keys=[issued_by_id])


class ConsentSignature(Base):
    """The evidence record of one signature. Written once, never updated (a trigger refuses it)."""

    __tablename__ = "consent_signature"
    __table_args__ = (
        CheckConstraint(_one_of("locale", LOCALES), name="locale"),
        CheckConstraint("length(text_sha256) = 64", name="text_sha256_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique: a double click or a replayed POST can never leave two signatures for one request.
    request_id: Mapped[int] = mapped_column(ForeignKey("consent_request.id", ondelete="CASCADE"), unique=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"), index=True)
    template_key: Mapped[str] = mapped_column(String(64))
    template_version: Mapped[int] = mapped_column(Integer)
    locale: Mapped[str] = mapped_column(String(2))
    # SHA-256 of the canonical text in the language the client read it in.
    text_sha256: Mapped[str] = mapped_column(String(64))
    # {"purposes": [...], "categories": [...]}: every purpose and category the consent covers.
    choices: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The keyed hash of the hetu of the person who identified themselves, never the code itself.
    signer_hetu_hmac: Mapped[str] = mapped_column(String(64))
    provider: Mapped[str] = mapped_column(String(40))
    acr: Mapped[str | None] = mapped_column(String(200))
    amr: Mapped[str | None] = mapped_column(String(200))
    auth_time: Mapped[datetime] = mapped_column(UTCDateTime())
    idp_session: Mapped[str | None] = mapped_column(String(300))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(300))
    # The last day (Helsinki) the consent is valid; None when only an event ends it.
    valid_until: Mapped[date | None] = mapped_column(Date)
    # Printed on the receipt; short enough to type on the public verification page.
    verification_code: Mapped[str] = mapped_column(String(12), unique=True)
    # A compact JWS (RS256) over the evidence claims, signed with the portal's signing key.
    seal: Mapped[str] = mapped_column(Text)
    seal_kid: Mapped[str] = mapped_column(String(100))


class ConsentEvent(Base):
    """Something that happened to a request: issued, reminded, signed, declined, revoked... Append-only."""

    __tablename__ = "consent_event"
    __table_args__ = (
        CheckConstraint(_one_of("kind", ConsentEventKind), name="kind"),
        Index("ix_consent_event_request_id_at", "request_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("consent_request.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # "client" or a staff role; the id is the client's or the professional's (no foreign key: kept for good).
    actor_role: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(Integer)
    # "self-service" when the client acted in Polku, "assisted" when a professional did it for them.
    channel: Mapped[str] = mapped_column(String(20), default="self-service")
    # What Polku notes itself (the new request of a reissue, "#12").
    reason: Mapped[str | None] = mapped_column(Text)
    # The reason a person gave for declining or revoking, sealed (REASON_CONTEXT): it can tell of health.
    reason_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)


# The same statements as in migration 0005, for databases built from the models (create_all).
_NO_UPDATE = {
    "sqlite": (
        "CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
        "BEGIN SELECT RAISE(ABORT, '{table} rows are never updated'); END"
    ),
    "postgresql": (
        "CREATE OR REPLACE FUNCTION {table}_no_update() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION '{table} rows are never updated'; END $$; "
        "CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION {table}_no_update()"
    ),
}


def no_update_trigger_sql(dialect: str, table: str) -> str:
    return _NO_UPDATE[dialect].format(table=table)


for _model in (ConsentSignature, ConsentEvent):
    for _dialect in _NO_UPDATE:
        _ddl = DDL(no_update_trigger_sql(_dialect, _model.__tablename__))  # type: ignore[no-untyped-call]
        event.listen(_model.__table__, "after_create", _ddl.execute_if(dialect=_dialect))
