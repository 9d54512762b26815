"""The professionals' pathway page: start, move, skip, note and close, with the whole history."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from portal.auditing import current_actor, log_view
from portal.content import pathways as pathway_content
from portal.content.pathways import PathwayTemplate
from portal.db import get_db
from portal.forms.pathway import (
    OUTCOME_LABELS,
    CloseForm,
    MoveForm,
    NoteForm,
    SkipForm,
    StartPathwayForm,
    step_choices,
)
from portal.i18n import current_locale, today
from portal.identity.access import current_user, keeps_typed_for
from portal.identity.kept_forms import restored_form
from portal.models import Client, EventKind, Pathway, Role, StaffUser
from portal.services import pathway as service
from portal.services.pathway import Change, PathwayRefused
from portal.views.clients import client_for_staff_or_404
from portal.views.pathway import bp
from portal.views.pathway.steps import in_date_order, step_title, timeline


def _forms(
    template: PathwayTemplate | None,
    pathway: Pathway | None,
    kept: MultiDict[str, str] | None = None,
    sent: str | None = None,
    not_before: date | None = None,
) -> dict[str, Any]:
    """The page's forms: the one sent in this request (`sent`) filled from it, the one whose fields
    `kept` holds from that (restored_form), and the others as on a page just opened."""
    locale = current_locale()
    forms: dict[str, Any] = {}
    kept_name = _kept_form_name(kept)

    def made(form_class: Any, name: str, **bounds: Any) -> Any:
        if name == sent:
            return form_class(prefix=name, **bounds)  # Flask-WTF reads the request's form
        return form_class(prefix=name, formdata=kept if name == kept_name else None, **bounds)

    start = made(StartPathwayForm, "start", not_before=not_before)
    # One choice per pathway, named as its newest version (a new pathway takes that version): each
    # version of a pathway was listed before, the same name twice.
    keys = sorted({key for key, _version in pathway_content.load_all()})
    start.template.choices = [(key, pathway_content.latest(key).title[locale]) for key in keys]
    forms["start"] = start
    if template is not None and pathway is not None:
        began, last_step_on = service.began_on(pathway), service.last_step_on(pathway)
        for name, form_class in (
            ("move", MoveForm),
            ("skip", SkipForm),
            ("note", NoteForm),
            ("close", CloseForm),
        ):
            form = made(form_class, name, began=began, last_step_on=last_step_on)
            if name != sent:
                # A kept form too: the page shows the pathway as it is now, and the change applies to it.
                form.version.data = str(pathway.version)
            forms[name] = form
        # Not the step the client is on: moving there again would only repeat it in the history.
        forms["move"].step.choices = [
            choice for choice in step_choices(template, locale) if choice.value != pathway.current_step
        ]
        forms["skip"].step.choices = step_choices(template, locale, skippable_only=True)
    return forms


def _kept_form_name(kept: MultiDict[str, str] | None) -> str | None:
    """Which of the page's forms a kept form is, by its fields' prefix."""
    names = {key.split("-", 1)[0] for key in kept or () if "-" in key}
    return next((name for name in ("start", "move", "skip", "note", "close") if name in names), None)


def _manage(
    client: Client,
    status: int = 200,
    kept: MultiDict[str, str] | None = None,
    sent: str | None = None,
    **overrides: Any,
) -> tuple[str, int]:
    db = get_db()
    pathway = service.active_pathway(db, client.id)
    template = service.template_of(pathway) if pathway else None
    closed_on = service.last_closed_on(db, client.id) if pathway is None else None
    forms = {**_forms(template, pathway, kept, sent, not_before=closed_on), **overrides}
    if overrides.get("error") == "changed" and pathway is not None and sent in forms:
        # The page now shows the pathway as it is: sent again, the change applies to that.
        forms[sent].version.data = str(pathway.version)
    failed, failed_form = next(
        ((name, form) for name, form in overrides.items() if getattr(form, "errors", None)), (None, None)
    )
    events = _history(pathway, template) if pathway is not None and template is not None else []
    # Closed pathways stay readable to the professionals: their history, outcome and notes.
    earlier = []
    for closed in service.closed_pathways(db, client.id):
        followed = service.template_of(closed)
        earlier.append((closed, service.closed_on(closed), followed, _history(closed, followed)))
    return render_template(
        "pathway/manage.html",
        client=client,
        pathway=pathway,
        template=template,
        steps=timeline(template, pathway, pathway.events) if template and pathway else [],
        events=events,
        earlier=earlier,
        outcome_labels=OUTCOME_LABELS,
        forms=forms,
        form=failed_form,
        error=overrides.get("error"),
        done=request.args.get("done") if status == 200 else None,
        kept=kept is not None,
        open_form=_kept_form_name(kept) or failed,  # shown open: the form brought back, or with errors
    ), status


def _history(pathway: Pathway, template: PathwayTemplate) -> list[dict[str, Any]]:
    """A pathway's events, newest first by their dates, with the note opened and the step named: a
    note's step is the one the pathway was at on the note's date, which may be before a later move."""
    lines, at = [], None
    for event in in_date_order(pathway.events):
        if event.kind in (EventKind.STARTED, EventKind.MOVED):
            at = event.step
        step = at if event.kind == EventKind.NOTE else event.step
        lines.append(
            {"event": event, "note": service.decrypt_note(event), "step": step_title(template, step)}
        )
    return lines[::-1]


def _staff_only(client_id: int) -> Client:
    user = current_user()
    if not isinstance(user, StaffUser) or not user.has_role(Role.ADVISER, Role.STAFF):
        abort(403)
    return client_for_staff_or_404(client_id)


@bp.get("/staff/clients/<int:client_id>/pathway")
def manage(client_id: int) -> tuple[str, int]:
    client = _staff_only(client_id)
    log_view(get_db(), client_id=client.id, object_type="pathway")
    # A change sent after the session had timed out comes back in its form, not yet made.
    return _manage(client, kept=restored_form())


def _change(form: Any) -> Change:
    return Change(
        effective_on=form.effective_on.data or today(),
        note=form.note.data or "",
        note_for_client=bool(form.note_for_client.data),
    )


def _refused(client: Client, reason: str, sent: str) -> tuple[str, int]:
    return _manage(client, 409 if reason == "changed" else 422, sent=sent, error=reason)


@bp.post("/staff/clients/<int:client_id>/pathway/start")
@keeps_typed_for("pathway.manage")
def start(client_id: int) -> Response | tuple[str, int]:
    client = _staff_only(client_id)
    form = _forms(None, None, sent="start", not_before=service.last_closed_on(get_db(), client.id))["start"]
    if not form.validate_on_submit():
        return _manage(client, 422, start=form)
    try:
        service.start_pathway(get_db(), current_actor(), client, form.template.data, _change(form))
    except PathwayRefused as refused:
        return _refused(client, refused.reason, "start")
    return redirect(url_for("pathway.manage", client_id=client.id, done="start"))


@bp.post("/staff/clients/<int:client_id>/pathway/move")
@keeps_typed_for("pathway.manage")
def move(client_id: int) -> Response | tuple[str, int]:
    return _act(client_id, "move")


@bp.post("/staff/clients/<int:client_id>/pathway/skip")
@keeps_typed_for("pathway.manage")
def skip(client_id: int) -> Response | tuple[str, int]:
    return _act(client_id, "skip")


@bp.post("/staff/clients/<int:client_id>/pathway/note")
@keeps_typed_for("pathway.manage")
def note(client_id: int) -> Response | tuple[str, int]:
    return _act(client_id, "note")


@bp.post("/staff/clients/<int:client_id>/pathway/close")
@keeps_typed_for("pathway.manage")
def close(client_id: int) -> Response | tuple[str, int]:
    return _act(client_id, "close")


def _act(client_id: int, name: str) -> Response | tuple[str, int]:
    client = _staff_only(client_id)
    db, actor = get_db(), current_actor()
    pathway = service.active_pathway(db, client.id)
    if pathway is None:
        return _refused(client, "closed", name)
    form = _forms(service.template_of(pathway), pathway, sent=name)[name]
    if not form.validate_on_submit():
        return _manage(client, 422, **{name: form})
    change, version = _change(form), form.posted_version()
    try:
        if name == "move":
            service.move_to_step(db, actor, client, pathway, form.step.data, change, version)
        elif name == "skip":
            service.skip_step(db, actor, client, pathway, form.step.data, change, version)
        elif name == "note":
            service.add_note(db, actor, client, pathway, change, version)
        else:
            service.close_pathway(db, actor, client, pathway, form.outcome.data, change, version)
    except PathwayRefused as refused:
        return _refused(client, refused.reason, name)
    return redirect(url_for("pathway.manage", client_id=client.id, done=name))
