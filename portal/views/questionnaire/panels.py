"""The questionnaire's parts of the client's front page, the client overview and the client list."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

from portal.content import questionnaires as questionnaire_content
from portal.i18n import current_locale
from portal.i18n import lazy_gettext as _l
from portal.identity.access import current_staff
from portal.models import Client, QuestionnaireResponse, ResponseStatus
from portal.services import questionnaire as service
from portal.services.reads import read_values
from portal.views import panels
from portal.views.questionnaire import answers as shown_answers
from portal.views.questionnaire import reads_answers

STATUS_LABELS = {
    "not_started": _l("Not started"),
    "answering": _l("Being answered"),
    "submitted": _l("Sent, not reviewed"),
    "reviewed": _l("Reviewed"),
}


def _status(status: str, started: bool, reviewed_at: datetime | None) -> str:
    if status == ResponseStatus.DRAFT:
        return "answering" if started else "not_started"
    return "reviewed" if reviewed_at is not None else "submitted"


def client_home(db: Session, client: Client) -> dict[str, Any] | None:
    """Open questionnaires: "Continue answering", with how far the client has come."""
    open_ones = service.open_responses(db, client.id)
    if not open_ones:
        return None
    entries = []
    for response in open_ones:
        questionnaire = service.definition(response)
        standing = shown_answers.standing(response, questionnaire)
        entries.append(
            {
                "response": response,
                "title": questionnaire.title[current_locale()],
                "done": standing.done,
                "total": standing.total,
                "started": standing.started,
                "resume": standing.resume_url(response.id),
            }
        )
    return {"entries": entries}


class OverviewRow(NamedTuple):
    """A questionnaire as the client overview lists it: plain values, so the rows can be kept."""

    response_id: int
    is_draft: bool
    title: str
    status: str
    assigned_at: datetime
    interview_at: datetime | None


def client_overview(db: Session, client: Client) -> dict[str, Any]:
    """The client's questionnaires for a professional, and a way to assign one."""
    locale, questionnaires = current_locale(), questionnaire_content.load_all()
    labels = {key: str(label) for key, label in STATUS_LABELS.items()}  # translated once, not per row
    entries = [
        OverviewRow(
            response_id,
            status == ResponseStatus.DRAFT,
            questionnaires[(key, version)].title[locale],
            labels[_status(status, started, reviewed_at)],
            assigned_at,
            interview_at,
        )
        # Unpacked in the order of the statement: cheaper than reading a row by name.
        for response_id, key, version, status, started, assigned_at, interview_at, reviewed_at in (
            service.response_summaries(db, client.id, limit=panels.overview_rows())
        )
    ]
    return {**panels.newest(entries), "reads_answers": reads_answers(current_staff())}


def list_column(db: Session, client_ids: list[int]) -> dict[int, Any]:
    """Each client's newest questionnaire status, for all clients on the page in one query."""
    if not client_ids:
        return {}
    rows = read_values(db, _statuses(), {"client_ids": client_ids}).all()
    labels = {key: str(label) for key, label in STATUS_LABELS.items()}  # translated once, not per row
    newest: dict[int, Any] = {}
    for client_id, status, reviewed_at, started in rows:
        newest[client_id] = labels[_status(status, started, reviewed_at)]
    return newest


@cache
def _statuses() -> Select[tuple[int, str, datetime | None, bool]]:
    # Built once: the professionals' client list runs it for every page of clients.
    return (
        select(
            QuestionnaireResponse.client_id,
            QuestionnaireResponse.status,
            QuestionnaireResponse.reviewed_at,
            QuestionnaireResponse.content_encrypted.is_not(None),
        )
        .where(QuestionnaireResponse.client_id.in_(bindparam("client_ids", expanding=True)))
        .order_by(QuestionnaireResponse.assigned_at, QuestionnaireResponse.id)
    )


panels.register(
    panels.CLIENT_HOME,
    panels.Panel("questionnaire", "questionnaire/panel_home.html", client_home, order=30),
)
panels.register(
    panels.CLIENT_OVERVIEW,
    panels.Panel(
        "questionnaire",
        "questionnaire/panel_overview.html",
        client_overview,
        order=30,
        logs_as="questionnaires",
    ),
)
panels.register_column(
    panels.Column("questionnaire", _l("Questionnaire"), "questionnaire/column.html", list_column, order=30)
)
