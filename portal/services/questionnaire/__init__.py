"""Questionnaires given to clients: assigning, answering page by page, submitting, reviewing, export.

drafts: the sealed content and the refusals; answering: assign, save a page, submit; review: the
queue, notes and "reviewed"; export: FHIR and the client's data download; demo: the demo data.
"""

from portal.services.questionnaire.answering import (
    assign_questionnaire,
    client_responses,
    open_responses,
    response_summaries,
    save_page,
    submit,
)
from portal.services.questionnaire.demo import demo_questionnaires
from portal.services.questionnaire.drafts import (
    CHECK_PAGE,
    PRE_INTERVIEW,
    SAVED,
    START,
    AlreadySubmitted,
    Draft,
    DraftChanged,
    Incomplete,
    NotSubmitted,
    PageNotShown,
    QuestionnaireRefused,
    ReviewChanged,
    definition,
    missing_pages,
    read_draft,
    seal_draft,
)
from portal.services.questionnaire.export import export_fhir, export_for_client, fhir_bundle
from portal.services.questionnaire.review import (
    QueueEntry,
    add_note,
    previous_submission,
    read_note,
    review_queue,
    set_reviewed,
)

__all__ = [
    "CHECK_PAGE",
    "PRE_INTERVIEW",
    "SAVED",
    "START",
    "AlreadySubmitted",
    "Draft",
    "DraftChanged",
    "Incomplete",
    "NotSubmitted",
    "PageNotShown",
    "QuestionnaireRefused",
    "QueueEntry",
    "ReviewChanged",
    "add_note",
    "assign_questionnaire",
    "client_responses",
    "definition",
    "demo_questionnaires",
    "export_fhir",
    "export_for_client",
    "fhir_bundle",
    "missing_pages",
    "open_responses",
    "previous_submission",
    "read_draft",
    "read_note",
    "response_summaries",
    "review_queue",
    "save_page",
    "seal_draft",
    "set_reviewed",
    "submit",
]
