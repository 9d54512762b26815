"""Feedback sent through the accessibility statement's feedback channel."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, UTCDateTime, utcnow


class Feedback(Base):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    locale: Mapped[str] = mapped_column(String(2))
    topic: Mapped[str] = mapped_column(String(32))
    # Sealed (portal.services.feedback): people write about their health and their devices, and
    # leave an address; the database and its copies hold none of it readable.
    message_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    page_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    reply_to_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The law asks for an answer within 14 days; a main user marks the feedback handled once it
    # has been answered, or needed no answer.
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
