"""Professionals: assign a questionnaire, the review queue, one response with notes, print and FHIR."""

from __future__ import annotations

import json
from typing import Any

from flask import Response as FlaskResponse
from flask import abort, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from portal.auditing import current_actor, log_view, log_views
from portal.content.questionnaires import latest, load_all
from portal.db import get_db
from portal.forms.questionnaire import AssignQuestionnaireForm, NoteForm, QueueFilterForm, ReviewForm
from portal.i18n import current_locale
from portal.identity.access import current_staff, form_shown_on, keeps_typed_for
from portal.identity.kept_forms import form_or_kept
from portal.models import QuestionnaireResponse, ReviewNote, StaffUser
from portal.services import clients as client_service
from portal.services import questionnaire as service
from portal.services.outbox import gets_messages
from portal.services.reads import by_id
from portal.urls import page_number
from portal.views import list_search
from portal.views.clients import client_for_staff_or_404
from portal.views.questionnaire import answers as shown_answers
from portal.views.questionnaire import bp

PAGE_SIZE = 25
View = str | Response | tuple[str, int]


def response_for_staff_or_404(response_id: int) -> QuestionnaireResponse:
    """A sent response of a client this professional works with; drafts are the client's own."""
    db = get_db()
    response = by_id(db, QuestionnaireResponse, response_id)
    if (
        response is None
        or response.is_draft
        or not client_service.can_see_client(db, current_staff(), response.client_id)
    ):
        abort(404)
    return response


@bp.post("/staff/questionnaires")
def search_queue() -> View:
    """The filter sent: which answers in the address, a name searched for in the session only."""
    form = QueueFilterForm()
    if not form.validate():
        # The filter with its error and no answers: all of them under it would read as what was found.
        return render_template("questionnaire/queue.html", form=form), 422
    term = (form.q.data or "").strip()
    return list_search.remember_and_show("queue", term, "questionnaire.review_queue", show=form.shown())


@bp.get("/staff/questionnaires")
def review_queue() -> View:
    db = get_db()
    term = list_search.recalled("queue")
    form = QueueFilterForm(formdata=None, data={"show": request.args.get("show", "all"), "q": term})
    show = form.shown()
    page = page_number()
    listing = service.review_queue(db, current_staff(), show=show, term=term, page=page, page_size=PAGE_SIZE)
    shown = sorted({entry.client_id for entry in listing.rows})
    log_views(db, client_ids=shown, object_type="questionnaire_queue")
    return render_template(
        "questionnaire/queue.html",
        form=form,
        entries=listing.rows,
        listing=listing,
        page=page,
        show=show,
        term=term,
    )


def _review_page(
    response: QuestionnaireResponse,
    *,
    note_form: NoteForm | None = None,
    review_form: ReviewForm | None = None,
    review_changed: bool = False,
    kept: bool = False,
    template: str = "questionnaire/review.html",
    object_type: str = "questionnaire_response",
) -> str:
    db = get_db()
    locale = current_locale()
    questionnaire = service.definition(response)
    answers = service.read_draft(response).answers
    earlier = service.previous_submission(db, response)
    previous = (service.definition(earlier), service.read_draft(earlier).answers) if earlier else None
    notes = db.execute(
        select(ReviewNote, StaffUser)
        .outerjoin(StaffUser, StaffUser.id == ReviewNote.author_id)
        .where(ReviewNote.response_id == response.id)
        .order_by(ReviewNote.created_at, ReviewNote.id)
    ).all()
    reviewer = db.get(StaffUser, response.reviewed_by_id) if response.reviewed_by_id else None
    review_form = review_form or ReviewForm()
    review_form.review_version.data = str(response.review_version)
    page = render_template(
        template,
        response=response,
        client=response.client,
        title=questionnaire.title[locale],
        flagged=shown_answers.flagged(questionnaire, answers, locale),
        sections=shown_answers.sections(questionnaire, answers, locale, previous=previous),
        earlier=earlier,
        notes=[(note, author, service.read_note(note)) for note, author in notes],
        reviewer=reviewer,
        form=note_form or NoteForm(formdata=None),
        review_form=review_form,
        review_changed=review_changed,
        kept=kept,
        done=request.args.get("done"),
    )
    log_view(db, client_id=response.client_id, object_type=object_type, object_id=response.id)
    return page


@bp.get("/staff/questionnaires/<int:response_id>")
def review(response_id: int) -> str:
    response = response_for_staff_or_404(response_id)
    # A note sent after the session had timed out: back in the note form, not yet saved.
    note_form, kept = form_or_kept(NoteForm)
    return _review_page(response, note_form=note_form, kept=kept)


@bp.post("/staff/questionnaires/<int:response_id>/notes")
@keeps_typed_for("questionnaire.review")
def add_note(response_id: int) -> View:
    response = response_for_staff_or_404(response_id)
    form = NoteForm()
    if not form.validate():
        return _review_page(response, note_form=form), 422
    service.add_note(get_db(), current_actor(), response, form.text.data or "")
    # To the notice itself: with the address at the section, Chrome took away the focus given to it.
    return redirect(
        url_for("questionnaire.review", response_id=response.id, done="note", _anchor="note-saved")
    )


@bp.post("/staff/questionnaires/<int:response_id>/reviewed")
@form_shown_on("questionnaire.review")
def mark_reviewed(response_id: int) -> View:
    response = response_for_staff_or_404(response_id)
    form = ReviewForm()
    decision = request.form.get("decision")
    if decision not in ("reviewed", "not_reviewed"):
        abort(400)
    try:
        service.set_reviewed(
            get_db(),
            current_actor(),
            response,
            decision == "reviewed",
            expected_review_version=form.posted_version(),
        )
    except service.ReviewChanged:
        return _review_page(response, review_changed=True), 409
    done = "reviewed" if decision == "reviewed" else "reopened"
    return redirect(url_for("questionnaire.review", response_id=response.id, done=done))


@bp.get("/staff/questionnaires/<int:response_id>/print")
def print_view(response_id: int) -> str:
    return _review_page(
        response_for_staff_or_404(response_id),
        template="questionnaire/print.html",
        object_type="questionnaire_response_print",
    )


@bp.get("/staff/questionnaires/<int:response_id>/fhir")
def fhir_download(response_id: int) -> FlaskResponse:
    response = response_for_staff_or_404(response_id)
    bundle = service.export_fhir(get_db(), current_actor(), response, current_locale())
    return FlaskResponse(
        json.dumps(bundle, ensure_ascii=False, indent=2),
        mimetype="application/fhir+json",
        headers={"Content-Disposition": f'attachment; filename="questionnaire-response-{response.id}.json"'},
    )


def _questionnaire_choices() -> list[tuple[str, Any]]:
    keys = sorted({key for key, _version in load_all()})
    return [(key, latest(key).title[current_locale()]) for key in keys]


@bp.route("/staff/questionnaires/assign/<int:client_id>", methods=["GET", "POST"])
def assign(client_id: int) -> View:
    client = client_for_staff_or_404(client_id)
    db = get_db()
    form = AssignQuestionnaireForm()
    form.questionnaire.choices = _questionnaire_choices()
    if form.validate_on_submit():
        service.assign_questionnaire(
            db, current_actor(), client, key=form.questionnaire.data or "", interview_at=form.interview_at()
        )
        return redirect(
            url_for(
                "clients.overview",
                client_id=client.id,
                done="questionnaire",
                _anchor="questionnaire-assigned",
            )
        )
    if not form.is_submitted() and len(form.questionnaire.choices) == 1:
        form.questionnaire.data = form.questionnaire.choices[0][0]
    page = render_template(
        "questionnaire/assign.html", client=client, form=form, can_notify=gets_messages(client)
    )
    log_view(db, client_id=client.id, object_type="questionnaire_assign")
    return (page, 422) if form.is_submitted() else page
