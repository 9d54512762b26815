"""Feedback sent through the accessibility statement's feedback channel."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, UTCDateTime, utcnow


class Feedback(Base):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    locale: Mapped[str] = mapped_column(String(2))
    topic: Mapped[str] = mapped_column(String(32))
    page: Mapped[str] = mapped_column(String(300), default="")
    message: Mapped[str] = mapped_column(Text)
    reply_to: Mapped[str | None] = mapped_column(String(254))
    # The law asks for an answer within 14 days; staff mark it answered.
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
