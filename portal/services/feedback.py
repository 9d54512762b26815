"""Storing feedback from the accessibility statement's feedback channel."""

from __future__ import annotations

from sqlalchemy.orm import Session

from portal.models import Feedback


def submit_feedback(
    db: Session, *, topic: str, message: str, page: str, reply_to: str | None, locale: str
) -> Feedback:
    feedback = Feedback(
        topic=topic,
        message=message.strip(),
        page=page.strip(),
        reply_to=(reply_to or "").strip() or None,
        locale=locale,
    )
    db.add(feedback)
    db.commit()
    return feedback
