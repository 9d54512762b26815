"""Questionnaires given to clients: one response per assignment, its encrypted answers, review notes."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, UTCDateTime, utcnow
from portal.models.identity import Client


class ResponseStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class QuestionnaireResponse(Base):
    """A questionnaire assigned to a client and the client's answers to it.

    The answers, the page the client is on and the pages they have seen are one AES-GCM sealed
    JSON document (`content_encrypted`): even which conditional page someone reached can tell
    something about their health. `version` grows with every save of the draft, so a page posted
    from an older copy is noticed; `review_version` does the same for the advisers' review.
    A submitted response never changes again (a trigger in the migration refuses it too).
    """

    __tablename__ = "questionnaire_response"
    __table_args__ = (
        # One open draft of a questionnaire per client: assigning it again finds the open one.
        Index(
            "uq_questionnaire_response_open",
            "client_id",
            "questionnaire_key",
            unique=True,
            sqlite_where=text("status = 'draft'"),
            postgresql_where=text("status = 'draft'"),
        ),
        # The advisers' review queue: sent answers, unreviewed first, then by interview time (the
        # order of portal.services.questionnaire.review.review_queue), and counted per client.
        Index(
            "ix_questionnaire_response_queue",
            text("(reviewed_at IS NOT NULL)"),
            text("(interview_at IS NULL)"),
            "interview_at",
            "submitted_at",
            "id",
            sqlite_where=text("status = 'submitted'"),
            postgresql_where=text("status = 'submitted'"),
        ),
        Index(
            "ix_questionnaire_response_submitted_client",
            "client_id",
            sqlite_where=text("status = 'submitted'"),
            postgresql_where=text("status = 'submitted'"),
        ),
        CheckConstraint("status IN ('draft', 'submitted')", name="status"),
        CheckConstraint(
            "(status = 'draft' AND submitted_at IS NULL)"
            " OR (status = 'submitted' AND submitted_at IS NOT NULL)",
            name="submitted_at",
        ),
        CheckConstraint("reviewed_at IS NULL OR status = 'submitted'", name="reviewed_when_submitted"),
        CheckConstraint("version > 0 AND review_version >= 0", name="versions"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"), index=True)
    questionnaire_key: Mapped[str] = mapped_column(String(64))
    questionnaire_version: Mapped[int]
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The booked interview this prepares for. No foreign key yet: bookings are built alongside.
    booking_id: Mapped[int | None] = mapped_column()
    interview_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(10), default=ResponseStatus.DRAFT)
    version: Mapped[int] = mapped_column(default=1)
    content_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    review_version: Mapped[int] = mapped_column(default=0)

    client: Mapped[Client] = relationship()
    notes: Mapped[list[ReviewNote]] = relationship(
        back_populates="response", order_by="ReviewNote.id", cascade="all, delete-orphan"
    )

    @property
    def is_draft(self) -> bool:
        return self.status == ResponseStatus.DRAFT


class ReviewNote(Base):
    """A professional's private note on a response; encrypted, since notes may hold health data."""

    __tablename__ = "questionnaire_review_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_response.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    text_encrypted: Mapped[bytes] = mapped_column(LargeBinary)

    response: Mapped[QuestionnaireResponse] = relationship(back_populates="notes")
