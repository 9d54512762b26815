"""Feedback from the accessibility statement's channel: stored sealed, announced to the main users
without its content, read and marked handled by them (the law asks for an answer within 14 days)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from portal import crypto
from portal.i18n import HELSINKI, supported_locale
from portal.models import Feedback, StaffRole, StaffUser
from portal.models.base import utcnow
from portal.models.identity import Role
from portal.services.audit import Actor, record_access
from portal.services.outbox import enqueue

MESSAGE_CONTEXT = "feedback.message"
PAGE_CONTEXT = "feedback.page"
REPLY_TO_CONTEXT = "feedback.reply_to"
ANSWER_WITHIN = timedelta(days=14)
# The handled list shows the latest ones; older ones stay in the database until purge_handled.
HANDLED_SHOWN = 50
RECEIVED_PATH = "/staff/feedback"


def submit_feedback(
    db: Session, *, topic: str, message: str, page: str, reply_to: str | None, locale: str
) -> Feedback:
    feedback = Feedback(
        topic=topic,
        message_encrypted=crypto.encrypt(message.strip(), MESSAGE_CONTEXT),  # required: never empty
        page_encrypted=crypto.seal_text(page, PAGE_CONTEXT),
        reply_to_encrypted=crypto.seal_text(reply_to, REPLY_TO_CONTEXT),
        locale=locale,
    )
    db.add(feedback)
    db.flush()
    _tell_main_users(db, feedback)
    db.commit()
    return feedback


def _tell_main_users(db: Session, feedback: Feedback) -> None:
    """An e-mail to each main user: that feedback came, never what it says (it may tell of health)."""
    main_users = db.execute(
        select(StaffUser.id, StaffUser.email, StaffUser.locale)
        .join(StaffRole, StaffRole.staff_user_id == StaffUser.id)
        .where(StaffRole.role == Role.ADMIN.value, StaffUser.active.is_(True), StaffUser.email != "")
    ).all()
    for staff_id, email, locale in main_users:
        enqueue(
            db,
            channel="email",
            recipient=email,
            template_key="feedback_received",
            locale=supported_locale(locale),
            params={"path": RECEIVED_PATH},
            idempotency_key=f"feedback-received:{feedback.id}:{staff_id}",
        )


@dataclass(frozen=True)
class Received:
    id: int
    created_at: datetime
    answer_by: date
    topic: str
    locale: str
    page: str
    message: str
    reply_to: str | None
    handled_at: datetime | None
    handled_by: str | None


def received(db: Session, *, handled: bool) -> list[Received]:
    """Waiting feedback, oldest (most urgent) first; or the latest handled ones, newest first."""
    query = select(Feedback, StaffUser.name).outerjoin(StaffUser, StaffUser.id == Feedback.handled_by_id)
    if handled:
        query = query.where(Feedback.handled_at.is_not(None)).order_by(Feedback.handled_at.desc())
        query = query.limit(HANDLED_SHOWN)
    else:
        query = query.where(Feedback.handled_at.is_(None)).order_by(Feedback.created_at, Feedback.id)
    return [_opened(feedback, name) for feedback, name in db.execute(query)]


def _opened(feedback: Feedback, handled_by: str | None) -> Received:
    return Received(
        id=feedback.id,
        created_at=feedback.created_at,
        answer_by=(feedback.created_at + ANSWER_WITHIN).astimezone(HELSINKI).date(),
        topic=feedback.topic,
        locale=feedback.locale,
        page=crypto.open_text(feedback.page_encrypted, PAGE_CONTEXT),
        message=crypto.open_text(feedback.message_encrypted, MESSAGE_CONTEXT),
        reply_to=crypto.open_text(feedback.reply_to_encrypted, REPLY_TO_CONTEXT) or None,
        handled_at=feedback.handled_at,
        handled_by=handled_by,
    )


def waiting_count(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(Feedback).where(Feedback.handled_at.is_(None))) or 0


def mark_handled(db: Session, actor: Actor, feedback_id: int) -> bool:
    """Whether this marked it: False when it was already handled (by another main user, another tab)
    or does not exist. One conditional UPDATE, so two main users never both mark the same one."""
    marked = db.execute(
        update(Feedback)
        .where(Feedback.id == feedback_id, Feedback.handled_at.is_(None))
        .values(handled_at=utcnow(), handled_by_id=actor.id),
        execution_options={"synchronize_session": False},
    ).rowcount  # type: ignore[attr-defined]
    if not marked:
        db.rollback()
        return False
    record_access(db, actor=actor, action="change", object_type="feedback", object_id=feedback_id)
    db.commit()
    return True


def purge_handled(db: Session, *, keep_days: int, now: datetime | None = None) -> int:
    """Delete feedback handled more than keep_days ago; feedback still waiting is never deleted."""
    cutoff = (now or utcnow()) - timedelta(days=keep_days)
    removed = db.execute(
        delete(Feedback).where(Feedback.handled_at.is_not(None), Feedback.handled_at < cutoff),
        execution_options={"synchronize_session": False},
    ).rowcount  # type: ignore[attr-defined]
    db.commit()
    return int(removed)


# Two pieces of feedback for the demo's main user, both asking for an answer: one recent, one late.
DEMO_FEEDBACK = (
    (
        3,
        "fi",
        "accessibility",
        "Ajanvaraus",
        "Kun suurennan tekstin puhelimessa, Varaa aika -painike jää osittain näytön ulkopuolelle.",
        "palautteen.antaja@example.fi",
    ),
    (
        16,
        "sv",
        "language",
        "",
        "Texten om samtycke var svår att förstå. Vad betyder utlämnande?",
        "svar@example.fi",
    ),
)


def demo_feedback(db: Session) -> None:
    """Demo feedback, once: a database that already has feedback is left as it is."""
    if db.scalar(select(func.count()).select_from(Feedback)):
        return
    for days_ago, locale, topic, page, message, reply_to in DEMO_FEEDBACK:
        feedback = submit_feedback(
            db, topic=topic, message=message, page=page, reply_to=reply_to, locale=locale
        )
        feedback.created_at = utcnow() - timedelta(days=days_ago)
        db.commit()
