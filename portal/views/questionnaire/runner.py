"""The client answers a questionnaire: one short page at a time, a summary to check, then send."""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from portal.auditing import current_actor
from portal.content.questionnaires import (
    Page,
    Questionnaire,
    page_index,
    prune_hidden,
    visible_items,
    visible_pages,
)
from portal.db import get_db
from portal.forms.questionnaire import ACTIONS, PageForm, SubmitForm, form_data, page_form_class
from portal.i18n import current_locale
from portal.identity.access import current_client, form_shown_on, keeps_typed
from portal.identity.kept_forms import form_or_kept
from portal.models import QuestionnaireResponse
from portal.services import questionnaire as service
from portal.services.reads import by_id
from portal.views.questionnaire import answers as shown_answers
from portal.views.questionnaire import bp

View = str | Response | tuple[str, int]
# "return" is a Python keyword, so the query argument travels in a dict.
RETURN_TO_CHECK: dict[str, Any] = {"return": "check"}


def own_response_or_404(response_id: int) -> QuestionnaireResponse:
    """The signed-in client's own response; anyone else's is simply not found."""
    response = by_id(get_db(), QuestionnaireResponse, response_id)
    if response is None or response.client_id != current_client().id:
        abort(404)
    return response


def refused(response: QuestionnaireResponse, reason: str) -> tuple[str, int]:
    """Nothing was changed: say why, and where to go on."""
    return render_template("questionnaire/refused.html", response=response, reason=reason), 409


@bp.get("/questionnaires")
def client_list() -> str:
    db = get_db()
    entries = []
    for response in service.client_responses(db, current_client().id):
        questionnaire = service.definition(response)
        standing = shown_answers.standing(response, questionnaire)
        entries.append(
            {
                "response": response,
                "title": questionnaire.title[current_locale()],
                "done": standing.done,
                "total": standing.total,
                "started": standing.started,
            }
        )
    return render_template("questionnaire/client_list.html", entries=entries)


@bp.get("/questionnaires/<int:response_id>")
def start(response_id: int) -> View:
    response = own_response_or_404(response_id)
    if not response.is_draft:
        return redirect(url_for("questionnaire.view", response_id=response.id))
    questionnaire = service.definition(response)
    standing = shown_answers.standing(response, questionnaire)
    return render_template(
        "questionnaire/start.html",
        response=response,
        questionnaire=questionnaire,
        intro=[part.strip() for part in questionnaire.intro[current_locale()].split("\n\n") if part.strip()],
        resume=standing.resume_url(response.id),
        done=standing.done,
        total=standing.total,
        started=standing.started,
    )


def _page_of(questionnaire: Questionnaire, page_id: str) -> Page:
    if page_id not in page_index(questionnaire):
        abort(404)
    return questionnaire.page(page_id)


def _render_page(
    response: QuestionnaireResponse,
    questionnaire: Questionnaire,
    page: Page,
    form: PageForm,
    draft: service.Draft,
    *,
    changed_elsewhere: bool = False,
    kept: bool = False,
    shown: tuple[Page, ...] | None = None,
    partly_saved: bool = False,
) -> str:
    """The page with the draft's answers; `shown` are the draft's visible pages when known already."""
    if shown is None:
        shown = visible_pages(questionnaire, draft.answers)
    section = questionnaire.section_of(page.id)
    parts = shown_answers.parts_shown(questionnaire, shown)
    position = parts.index(section) + 1 if section in parts else len(parts)
    locale = current_locale()
    saved = [
        {"key": item.label[locale], "value": shown_answers.display(item, draft.answers.get(item.id), locale)}
        for item in form.items
    ]
    returning = request.args.get("return") == "check"
    extra = RETURN_TO_CHECK if returning else {}
    return render_template(
        "questionnaire/page.html",
        response=response,
        questionnaire=questionnaire,
        section=section,
        page=page,
        form=form,
        position=position,
        total=len(parts),
        returning=returning,
        action_url=url_for("questionnaire.page", response_id=response.id, page_id=page.id, **extra),
        changed_elsewhere=changed_elsewhere,
        kept=kept,
        saved=saved,
        partly_saved=partly_saved,
    )


@bp.route("/questionnaires/<int:response_id>/pages/<page_id>", methods=["GET", "POST"])
@keeps_typed
def page(response_id: int, page_id: str) -> View:
    response = own_response_or_404(response_id)
    questionnaire = service.definition(response)
    page = _page_of(questionnaire, page_id)
    if not response.is_draft:
        if request.method == "POST":
            return refused(response, "submitted")
        return redirect(url_for("questionnaire.view", response_id=response.id))
    draft = service.read_draft(response)
    shown = visible_pages(questionnaire, draft.answers)
    page_shown = page in shown
    items = visible_items(page, prune_hidden(questionnaire, draft.answers))
    form_class = page_form_class(questionnaire, page.id, items, current_locale())
    if request.method == "GET":
        if not page_shown:
            return redirect(shown_answers.resume_url(response.id, questionnaire, draft))
        data = {**form_data(items, draft.answers), "answers_version": str(response.version)}
        # Sent after the session had timed out: what was typed comes back, not yet saved.
        shown_form: PageForm
        shown_form, kept = form_or_kept(form_class, data=data)
        shown_form.answers_version.data = str(response.version)
        return _render_page(response, questionnaire, page, shown_form, draft, shown=shown, kept=kept)

    action = request.form.get("action", "continue")
    if action not in ACTIONS:
        abort(400)
    form = form_class(enforce_required=action == "continue")
    if form.posted_version() != response.version:
        return _changed_elsewhere(response, questionnaire, page, form, draft, page_shown)
    if not page_shown:
        return refused(response, "hidden_page")
    if set(request.form) - form.allowed_names():
        abort(400)  # an item this page does not ask: refused, nothing saved
    if not form.validate():
        if action != "continue":
            # "Every button saves what you have written": the answers that passed are saved, the
            # page stays with what was typed, and says which answers were not saved.
            passed = form.answers_that_passed(draft.answers)
            _destination, problem = _save(response, questionnaire, page, form, passed, action="save_later")
            if problem is not None:
                return problem
            get_db().refresh(response)
            form.answers_version.data = str(response.version)
            draft = service.read_draft(response)
            return _render_page(response, questionnaire, page, form, draft, partly_saved=True), 422
        return _render_page(response, questionnaire, page, form, draft, shown=shown), 422
    returning = request.args.get("return") == "check"
    destination, problem = _save(response, questionnaire, page, form, form.answers(), action, returning)
    if problem is not None:
        return problem
    return redirect(_url_for_destination(response, destination, returning))


def _save(
    response: QuestionnaireResponse,
    questionnaire: Questionnaire,
    page: Page,
    form: PageForm,
    answers: dict[str, object | None],
    action: str,
    returning: bool = False,
) -> tuple[str, View | None]:
    """The page's answers saved: where the client goes next, or the page to show instead when the
    draft changed meanwhile (what was typed kept) or the page is no longer asked."""
    try:
        destination = service.save_page(
            get_db(),
            response,
            page.id,
            answers,
            expected_version=form.posted_version(),
            action=action,
            returning=returning,
        )
    except service.DraftChanged:
        get_db().refresh(response)
        draft = service.read_draft(response)
        shown = page in visible_pages(questionnaire, draft.answers)
        return "", _changed_elsewhere(response, questionnaire, page, form, draft, shown)
    except service.PageNotShown:
        return "", refused(response, "hidden_page")
    return destination, None


def _changed_elsewhere(
    response: QuestionnaireResponse,
    questionnaire: Questionnaire,
    page: Page,
    form: PageForm,
    draft: service.Draft,
    page_shown: bool,
) -> View:
    """Show the answers saved meanwhile, keep what was typed here, and let the client save again."""
    if not page_shown:
        return refused(response, "hidden_page")
    form.answers_version.data = str(response.version)
    return _render_page(response, questionnaire, page, form, draft, changed_elsewhere=True), 409


def _url_for_destination(response: QuestionnaireResponse, destination: str, returning: bool) -> str:
    if destination == service.CHECK_PAGE:
        return url_for("questionnaire.check", response_id=response.id)
    if destination == service.START:
        return url_for("questionnaire.start", response_id=response.id)
    if destination == service.SAVED:
        return url_for("questionnaire.saved", response_id=response.id)
    extra = RETURN_TO_CHECK if returning else {}
    return url_for("questionnaire.page", response_id=response.id, page_id=destination, **extra)


@bp.get("/questionnaires/<int:response_id>/saved")
def saved(response_id: int) -> View:
    response = own_response_or_404(response_id)
    if not response.is_draft:
        return redirect(url_for("questionnaire.view", response_id=response.id))
    questionnaire = service.definition(response)
    draft = service.read_draft(response)
    return render_template(
        "questionnaire/saved.html",
        response=response,
        title=questionnaire.title[current_locale()],
        resume=shown_answers.resume_url(response.id, questionnaire, draft),
    )


def _render_check(
    response: QuestionnaireResponse,
    form: SubmitForm,
    *,
    changed_elsewhere: bool = False,
    refused_incomplete: bool = False,
) -> str:
    questionnaire = service.definition(response)
    draft = service.read_draft(response)
    locale = current_locale()
    missing = service.missing_pages(questionnaire, draft.answers)
    if refused_incomplete:
        form.form_errors = [m.title[locale] for m in missing]
    return render_template(
        "questionnaire/check.html",
        response=response,
        questionnaire=questionnaire,
        sections=shown_answers.sections(
            questionnaire,
            draft.answers,
            locale,
            change_url=lambda p: url_for(
                "questionnaire.page", response_id=response.id, page_id=p.id, **RETURN_TO_CHECK
            ),
        ),
        missing=missing,
        form=form,
        changed_elsewhere=changed_elsewhere,
    )


@bp.get("/questionnaires/<int:response_id>/check")
def check(response_id: int) -> View:
    response = own_response_or_404(response_id)
    if not response.is_draft:
        return redirect(url_for("questionnaire.view", response_id=response.id))
    return _render_check(response, SubmitForm(data={"answers_version": str(response.version)}))


@bp.post("/questionnaires/<int:response_id>/submit")
@form_shown_on("questionnaire.check")
def submit(response_id: int) -> View:
    response = own_response_or_404(response_id)
    if not response.is_draft:
        return refused(response, "submitted")
    form = SubmitForm()
    try:
        service.submit(get_db(), current_actor(), response, expected_version=form.posted_version())
    except service.DraftChanged:
        get_db().refresh(response)
        form.answers_version.data = str(response.version)
        return _render_check(response, form, changed_elsewhere=True), 409
    except service.Incomplete:
        return _render_check(response, form, refused_incomplete=True), 422
    return redirect(url_for("questionnaire.done", response_id=response.id))


@bp.get("/questionnaires/<int:response_id>/done")
def done(response_id: int) -> View:
    response = own_response_or_404(response_id)
    if response.is_draft:
        return redirect(url_for("questionnaire.start", response_id=response.id))
    title = service.definition(response).title[current_locale()]
    return render_template("questionnaire/done.html", response=response, title=title)


@bp.get("/questionnaires/<int:response_id>/view")
def view(response_id: int) -> View:
    response = own_response_or_404(response_id)
    if response.is_draft:
        return redirect(url_for("questionnaire.start", response_id=response.id))
    questionnaire = service.definition(response)
    answers = service.read_draft(response).answers
    return render_template(
        "questionnaire/view.html",
        response=response,
        title=questionnaire.title[current_locale()],
        sections=shown_answers.sections(questionnaire, answers, current_locale()),
    )
