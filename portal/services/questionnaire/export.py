"""Answers out of Polku: FHIR R4B for professionals, and the client's own data download."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from portal.content.questionnaires import prune_hidden
from portal.fhir import DEFAULT_CANONICAL_BASE, questionnaire_to_fhir, response_to_fhir
from portal.i18n import supported_locale
from portal.models import Client, QuestionnaireResponse
from portal.models.base import utcnow
from portal.services.audit import Actor, record_access
from portal.services.questionnaire.answering import client_responses
from portal.services.questionnaire.drafts import NotSubmitted, definition, read_draft


def fhir_bundle(
    response: QuestionnaireResponse, locale: str, *, canonical_base: str = DEFAULT_CANONICAL_BASE
) -> dict[str, Any]:
    """The definition as a Questionnaire and the answers as a QuestionnaireResponse, in one Bundle."""
    questionnaire = definition(response)
    definition_resource = questionnaire_to_fhir(questionnaire, locale, canonical_base=canonical_base)
    answers_resource = _fhir_response(response, locale, canonical_base)
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": utcnow().isoformat(timespec="seconds"),
        "entry": [
            {
                "fullUrl": f"{canonical_base}/Questionnaire/{definition_resource['id']}",
                "resource": definition_resource,
            },
            {
                "fullUrl": f"{canonical_base}/QuestionnaireResponse/{answers_resource['id']}",
                "resource": answers_resource,
            },
        ],
    }


def _fhir_response(response: QuestionnaireResponse, locale: str, canonical_base: str) -> dict[str, Any]:
    resource = response_to_fhir(
        definition(response),
        read_draft(response).answers,
        status="in-progress" if response.is_draft else "completed",
        authored=response.submitted_at or response.updated_at,
        subject_reference=f"Patient/polku-client-{response.client_id}",
        locale=locale,
        canonical_base=canonical_base,
    )
    return {"id": f"polku-questionnaire-response-{response.id}", **resource}


def export_fhir(db: Session, actor: Actor, response: QuestionnaireResponse, locale: str) -> dict[str, Any]:
    """A professional's FHIR download, written to the access log."""
    if response.is_draft:
        raise NotSubmitted()
    bundle = fhir_bundle(response, locale)
    record_access(
        db,
        actor=actor,
        action="export",
        object_type="questionnaire_response",
        object_id=response.id,
        client_id=response.client_id,
        purpose="FHIR download",
    )
    db.commit()
    return bundle


def export_for_client(db: Session, client: Client, locale: str | None = None) -> list[dict[str, Any]]:
    """Everything about the client's questionnaires for "download my data": answers and FHIR.

    Professionals' review notes are their working notes and are not part of it.
    """
    locale = locale or supported_locale(client.locale)
    exported = []
    for response in client_responses(db, client.id):
        questionnaire = definition(response)
        exported.append(
            {
                "questionnaire": questionnaire.key,
                "version": questionnaire.version,
                "title": questionnaire.title[locale],
                "status": response.status,
                "assigned_at": response.assigned_at.isoformat(),
                "interview_at": response.interview_at.isoformat() if response.interview_at else None,
                "submitted_at": response.submitted_at.isoformat() if response.submitted_at else None,
                "reviewed": response.reviewed_at is not None,
                "answers": prune_hidden(questionnaire, read_draft(response).answers),
                "fhir": _fhir_response(response, locale, DEFAULT_CANONICAL_BASE),
            }
        )
    return exported
