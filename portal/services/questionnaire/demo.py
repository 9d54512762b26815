"""Demo data for questionnaires: open ones for the Finnish and Swedish demo clients, one sent answer."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.i18n import HELSINKI
from portal.identity import hetu
from portal.models import Client, QuestionnaireResponse, StaffUser
from portal.services import clients as client_service
from portal.services.audit import Actor
from portal.services.questionnaire import answering
from portal.services.questionnaire.drafts import CHECK_PAGE, Draft, seal_draft

# Who gets what, and in how many days their interview is: none has a date, as a date comes from
# booking the interview (Maija and Anna-Lena can book one from the demo's free interview times;
# Veeti's answers are sent, and a date shown without a booking contradicted his appointments).
OPEN: dict[str, int | None] = {"client_fi": None, "client_sv": None}
SENT: dict[str, int | None] = {"client_young": None}
# A young client's answers, in Finnish, with a few things the adviser should see first.
YOUNG_ANSWERS: dict[str, Any] = {
    "current_situation": ["unemployed"],
    "current_services": ["rehabilitative_work"],
    "work_activity_tasks": "Työkeskuksessa puutöitä ja kahvilan tehtäviä.",
    "work_activity_days": 3,
    "everyday_coping": "often_hard",
    "work_ability": 3,
    "health_affects_work": "a_lot",
    "health_description": "Väsymys ja keskittymisen vaikeus, varsinkin aamuisin.",
    "treatment_contact": "no",
    "treatment_help": "yes",
    "b_statement": "unknown",
    "education_level": "basic",
    "work_experience": "under_year",
    "jobs": "Kesätöitä kaupan varastossa.",
    "goals": ["find_direction"],
    "rehabilitation_interest": ["work_tryout", "taito"],
    "had_rehabilitation": "no",
    "participation_barriers": ["finances"],
    "barrier_details": "Bussilippu on kallis.",
    "interview_language": "fi",
    "interpreter_needed": "no",
    "accessibility_needs": ["more_time"],
    "interview_modality": "in_person",
}


def demo_questionnaires(db: Session, today: date | None = None) -> str:
    """Assign the pre-interview questionnaire to the demo clients; running it again changes nothing."""
    from portal.demo import demo_person  # the demo loader imports this module

    today = today or datetime.now(HELSINKI).date()
    adviser = db.scalar(select(StaffUser).where(StaffUser.email == demo_person("adviser")["email"]))
    if adviser is None:
        return "no demo adviser: load the demo people first"
    actor = Actor(id=adviser.id, role="adviser", org=adviser.organisation)
    count = 0
    for key, days in (OPEN | SENT).items():
        code = hetu.validate(demo_person(key)["hetu"], allow_test_codes=True)
        client = db.scalar(select(Client).where(Client.hetu_hash == hetu.lookup(code)))
        if client is None or _has_any(db, client.id):
            continue
        client_service.assign(db, actor, client, adviser, responsibility="adviser")
        interview_at = (
            None
            if days is None
            else datetime.combine(today + timedelta(days=days), time(10, 0), tzinfo=HELSINKI)
        )
        response = answering.assign_questionnaire(db, actor, client, interview_at=interview_at)
        if key in SENT:
            _answer_and_send(db, response)
        count += 1
    return f"{count} questionnaires"


def _has_any(db: Session, client_id: int) -> bool:
    found = db.scalar(
        select(QuestionnaireResponse.id).where(QuestionnaireResponse.client_id == client_id).limit(1)
    )
    return found is not None


def _answer_and_send(db: Session, response: QuestionnaireResponse) -> None:
    draft = Draft(dict(YOUNG_ANSWERS), CHECK_PAGE)
    db.execute(
        update(QuestionnaireResponse)
        .where(QuestionnaireResponse.id == response.id)
        .values(content_encrypted=seal_draft(response.id, draft))
        .execution_options(synchronize_session=False)
    )
    db.commit()
    db.refresh(response)
    client_actor = Actor(id=response.client_id, role="client")
    answering.submit(db, client_actor, response, expected_version=response.version)
