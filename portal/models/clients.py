"""Which professionals work with which client: the basis of every professional's access."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, UTCDateTime, utcnow
from portal.models.identity import Client, StaffUser


class ClientAssignment(Base):
    """A professional assigned to a client; ended assignments are kept for the record."""

    __tablename__ = "client_assignment"
    __table_args__ = (
        # At most one open assignment of the same person to the same client.
        Index(
            "uq_client_assignment_open",
            "client_id",
            "staff_user_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"), index=True)
    staff_user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"), index=True)
    # The professional's part in this client's work, e.g. "adviser" or "coordinator".
    responsibility: Mapped[str] = mapped_column(String(40), default="adviser")
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    client: Mapped[Client] = relationship(foreign_keys=[client_id])
    staff_user: Mapped[StaffUser] = relationship(foreign_keys=[staff_user_id])
