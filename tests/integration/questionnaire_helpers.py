"""Factories for questionnaire tests: assign, put answers in place, read what was stored."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Flask
from sqlalchemy import update
from sqlalchemy.orm import Session

from portal.content.questionnaires import latest, visible_pages
from portal.models import Client, QuestionnaireResponse, StaffRole, StaffUser
from portal.services import clients as client_service
from portal.services import questionnaire as service
from portal.services.audit import Actor
from portal.services.questionnaire import PRE_INTERVIEW

# Answers that open every conditional page but the one that needs "no treatment contact".
ALL_PAGES: dict[str, Any] = {
    "current_situation": ["unemployed"],
    "current_services": ["rehabilitative_work"],
    "everyday_coping": "mostly",
    "work_ability": 5,
    "health_affects_work": "a_lot",
    "treatment_contact": "yes",
    "b_statement": "written",
    "education_level": "vocational",
    "work_experience": "one_to_five",
    "goals": ["part_time"],
    "rehabilitation_interest": ["work_tryout"],
    "had_rehabilitation": "yes",
    "participation_barriers": ["travel"],
    "interview_language": "fi",
    "interpreter_needed": "yes",
    "interpreter_language": "arabia",
    "interview_modality": "phone",
}
# The other branch: no treatment contact, which opens "getting_treatment".
NO_TREATMENT = {**ALL_PAGES, "treatment_contact": "no", "treatment_help": "booked"}


def actor_for(staff: StaffUser) -> Actor:
    return Actor(id=staff.id, role=staff.role, org=staff.organisation)


def assign(
    app: Flask,
    db: Session,
    client: Client,
    adviser: StaffUser,
    *,
    interview_at: datetime | None = None,
) -> QuestionnaireResponse:
    """The adviser works with the client and gives them the pre-interview questionnaire."""
    with app.app_context():
        client_service.assign(db, actor_for(adviser), client, adviser)
        return service.assign_questionnaire(db, actor_for(adviser), client, interview_at=interview_at)


def put_answers(
    app: Flask,
    db: Session,
    response: QuestionnaireResponse,
    answers: dict[str, Any],
    *,
    page: str | None = None,
    seen: tuple[str, ...] | None = None,
) -> None:
    """Set a draft's content directly, as if the client had answered so far (at the summary: all seen)."""
    if seen is None:
        shown = visible_pages(latest(PRE_INTERVIEW), answers) if page == service.CHECK_PAGE else ()
        seen = tuple(p.id for p in shown)
    with app.app_context():
        sealed = service.seal_draft(response.id, service.Draft(dict(answers), page, seen))
    db.execute(
        update(QuestionnaireResponse)
        .where(QuestionnaireResponse.id == response.id)
        .values(content_encrypted=sealed, version=QuestionnaireResponse.version + 1)
    )
    db.commit()
    db.refresh(response)


def stored(app: Flask, db: Session, response: QuestionnaireResponse) -> service.Draft:
    db.expire_all()
    fresh = db.get(QuestionnaireResponse, response.id)
    assert fresh is not None
    with app.app_context():
        return service.read_draft(fresh)


def submitted(
    app: Flask, db: Session, client: Client, adviser: StaffUser, answers: dict[str, Any], **kwargs: Any
) -> QuestionnaireResponse:
    """A response the client has sent."""
    response = assign(app, db, client, adviser, **kwargs)
    put_answers(app, db, response, answers)
    with app.app_context():
        service.submit(db, Actor(id=client.id, role="client"), response, expected_version=response.version)
    return response


def another_adviser(db: Session, email: str = "toinen.neuvoja@kela.example") -> StaffUser:
    staff = StaffUser(email=email, name="Toinen Neuvoja", organisation="Kela")
    staff.roles.append(StaffRole(role="adviser", source="admin"))
    db.add(staff)
    db.commit()
    return staff


def at(year: int, month: int, day: int, hour: int = 9) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)
