"""A client's rehabilitation pathways and everything that happened on them."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, LargeBinary, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, UTCDateTime, utcnow


class PathwayStatus(StrEnum):
    ACTIVE = "active"
    CLOSED = "closed"


class EventKind(StrEnum):
    STARTED = "started"
    MOVED = "moved"
    SKIPPED = "skipped"
    NOTE = "note"
    CLOSED = "closed"


class Pathway(Base):
    """One pathway of a client, following a versioned pathway template; one active at a time."""

    __tablename__ = "pathway"
    __table_args__ = (
        Index(
            "uq_pathway_one_active",
            "client_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"), index=True)
    template_key: Mapped[str] = mapped_column(String(80))
    template_version: Mapped[int]
    status: Mapped[str] = mapped_column(String(10), default=PathwayStatus.ACTIVE)
    current_step: Mapped[str] = mapped_column(String(80))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str | None] = mapped_column(String(40))
    # Bumped by every change, so that two advisers moving the same pathway cannot both win.
    version: Mapped[int] = mapped_column(default=1)

    events: Mapped[list[PathwayEvent]] = relationship(
        back_populates="pathway", order_by="PathwayEvent.id", cascade="all, delete-orphan"
    )


class PathwayEvent(Base):
    """What happened on a pathway, by whom and when; notes are encrypted, some are for the client."""

    __tablename__ = "pathway_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    pathway_id: Mapped[int] = mapped_column(ForeignKey("pathway.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    step: Mapped[str | None] = mapped_column(String(80))
    effective_on: Mapped[date] = mapped_column(Date)
    note_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The event itself (a step change) and its note are shown to the client separately.
    visible_to_client: Mapped[bool] = mapped_column(default=False)
    note_for_client: Mapped[bool] = mapped_column(default=False)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    pathway: Mapped[Pathway] = relationship(back_populates="events")
