"""The notifications outbox: messages written with the change that causes them, sent by a worker."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, UTCDateTime, utcnow

CHANNELS = ("email", "sms")
STATUSES = ("pending", "sending", "sent", "failed")
LOCALES = ("fi", "sv")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


class OutboxMessage(Base):
    """A message to one recipient; the text is rendered only when it is sent."""

    __tablename__ = "outbox"
    __table_args__ = (
        # The worker's query: pending rows that are due, oldest first.
        Index("ix_outbox_status_due_at", "status", "due_at"),
        CheckConstraint(_one_of("channel", CHANNELS), name="channel"),
        CheckConstraint(_one_of("status", STATUSES), name="status"),
        CheckConstraint(_one_of("locale", LOCALES), name="locale"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    channel: Mapped[str] = mapped_column(String(8))
    # An e-mail address or an E.164 number: personal data, so rows are kept no longer than needed.
    recipient: Mapped[str] = mapped_column(String(254))
    template_key: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(2))
    # Only values that are safe in a message: a portal path, a date. Never health data or hetu.
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The cause's own key (for example "booking:41:confirmed"), so a replayed request queues nothing.
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    # The error's kind and code only: server replies can quote the recipient's address.
    last_error: Mapped[str | None] = mapped_column(String(200))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    client_id: Mapped[int | None] = mapped_column()
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The worker id and a per-claim token, so a worker whose lease ran out cannot settle a new claim.
    claimed_by: Mapped[str | None] = mapped_column(String(100))
