"""The rehabilitation pathway: the client's timeline and the professional's controls."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from functools import cache
from typing import Any, NamedTuple, Protocol, TypeVar

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from sqlalchemy import ColumnElement, Select, bindparam, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from portal.auditing import current_actor, log_view
from portal.content import pathways as pathway_content
from portal.content.pathways import Action, PathwayTemplate, Step
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
from portal.i18n import lazy_gettext as _l
from portal.identity.access import current_client, current_user, keeps_typed_for
from portal.identity.kept_forms import restored_form
from portal.models import (
    Client,
    ClientAssignment,
    EventKind,
    Pathway,
    PathwayEvent,
    PathwayStatus,
    Role,
    StaffUser,
)
from portal.models.base import in_text
from portal.services import pathway as service
from portal.services.pathway import Change, PathwayRefused
from portal.services.reads import prepared, read_values
from portal.services.step_actions import ActionState, action_state
from portal.views import panels
from portal.views.clients import client_for_staff_or_404

bp = Blueprint("pathway", __name__)

ACTION_ENDPOINTS = {
    "consent": "consent.client_list",
    "questionnaire": "questionnaire.client_list",
    "booking": "booking.client_list",
}


# What the step asks, once the client has done it, or before anything has been issued to them.
ACTION_DONE = {
    "consent": _l("You have given this consent. Nothing more is needed from you in this step."),
    "questionnaire": _l("You have sent your answers. Nothing more is needed from you in this step."),
    "booking": _l("You have booked a time. You can see it under your appointments."),
}
ACTION_NOT_YET = {
    "consent": _l(
        "The consent request has not been sent to you yet. You will be told when it is waiting for you."
    ),
    "questionnaire": _l(
        "The questionnaire has not been opened for you yet. You will be told when you can answer it."
    ),
    "booking": _l("You cannot book this appointment yet. You will be told when you can."),
}
# A consent asked for that the client has not given (declined, revoked, let expire): no "not yet".
ACTION_NOT_GIVEN = {
    "consent": _l(
        "You have not given this consent. If you want to give it, ask your adviser to send you a new request."
    ),
}
DONE_LINKS = {
    "consent": _l("See your consents"),
    "questionnaire": _l("See your questionnaires"),
    "booking": _l("See your appointments"),
}


class StepAction(NamedTuple):
    """What the client's pages say of the current step's action: the text, and a link if any."""

    text: str
    url: str | None
    label: str


def step_action(db: Session, client: Client, step: Step) -> StepAction | None:
    """The step's request to the client, as it stands for them now; None when it asks nothing."""
    locale = current_locale()
    asked = step.client_action.get(locale)
    if not asked:
        return None
    action = step.action
    url = action_link(action)
    if action is None or url is None:
        return StepAction(asked, None, "")
    state = action_state(db, client, action)
    if state is ActionState.DONE:
        return StepAction(str(ACTION_DONE[action.kind]), url, str(DONE_LINKS[action.kind]))
    if state is ActionState.NOT_GIVEN:
        return StepAction(str(ACTION_NOT_GIVEN[action.kind]), url, str(DONE_LINKS[action.kind]))
    if state is ActionState.NOT_YET:
        return StepAction(str(ACTION_NOT_YET[action.kind]), None, "")
    return StepAction(asked, url, action.label[locale])


def action_link(action: Action | None) -> str | None:
    """Where the client does what the step asks, once that feature exists."""
    if action is None or action.kind not in ACTION_ENDPOINTS:
        return None
    endpoint = ACTION_ENDPOINTS[action.kind]
    return url_for(endpoint) if endpoint in current_app.view_functions else None


class PathwayLine(NamedTuple):
    """A pathway as the client's page shows it: plain values, read without loading objects."""

    id: int
    template_key: str
    template_version: int
    status: str
    current_step: str
    started_at: datetime
    closed_at: datetime | None
    outcome: str | None


class EventLine(NamedTuple):
    """An event of a pathway as the client's page shows it (what happened and the sealed note)."""

    kind: str
    step: str | None
    effective_on: date
    note_encrypted: bytes | None
    visible_to_client: bool
    note_for_client: bool


class OnStep(Protocol):
    """A pathway or a PathwayLine: where it is and whether it has ended."""

    @property
    def current_step(self) -> str: ...

    @property
    def status(self) -> str: ...


class Happened(Protocol):
    @property
    def kind(self) -> str: ...

    @property
    def step(self) -> str | None: ...


def timeline(template: PathwayTemplate, pathway: OnStep, events: Iterable[Happened]) -> list[dict[str, Any]]:
    """Each step with its state: done, current, skipped or coming; on a closed pathway the steps
    after the last one were not reached ("not_reached"), not coming."""
    skipped = {event.step for event in events if event.kind == EventKind.SKIPPED}
    keys = [step.key for step in template.steps]
    current = keys.index(pathway.current_step) if pathway.current_step in keys else 0
    closed = pathway.status == PathwayStatus.CLOSED
    rows = []
    for index, step in enumerate(template.steps):
        if step.key in skipped:
            state = "skipped"
        elif index < current or (closed and index == current):
            state = "done"
        elif index == current:
            state = "current"
        else:
            state = "not_reached" if closed else "coming"
        rows.append({"step": step, "state": state})
    return rows


def client_history(template: PathwayTemplate, events: Sequence[EventLine]) -> list[dict[str, Any]]:
    keys = {step.key for step in template.steps}
    return [
        {
            "event": event,
            "step": template.step(event.step) if event.step in keys else None,
            "note": service.open_note(event.note_encrypted) if event.note_for_client else "",
        }
        for event in in_date_order(events, newest_first=True)
        if event.visible_to_client
    ]


class Dated(Protocol):
    @property
    def effective_on(self) -> date: ...


D = TypeVar("D", bound=Dated)


def in_date_order(events: Sequence[D], *, newest_first: bool = False) -> list[D]:
    """Events by the date each change was given, those of one day in the order they were made: a
    note or a change dated earlier takes its place in the history, not the top."""
    ordered = sorted(events, key=lambda event: event.effective_on)  # stable: id order within a day
    return ordered[::-1] if newest_first else ordered


def professionals_of(db: Session, client_id: int) -> list[Any]:
    """The client's professionals: name, title in Finnish and Swedish, organisation, work e-mail."""
    return list(read_values(db, _professionals(), {"client_id": client_id}))


def _pathways(db: Session, client_id: int) -> list[PathwayLine]:
    return [PathwayLine(*row) for row in read_values(db, _client_pathways(), {"client_id": client_id})]


def _events(db: Session, pathway_id: int) -> list[EventLine]:
    return [EventLine(*row) for row in read_values(db, _pathway_events(), {"pathway_id": pathway_id})]


# The client's pathway page runs these on every visit: built once, the client comes as a parameter.
# Columns, not objects: loading the pathways, their events and the professionals as objects cost
# more than the rest of the page.


@prepared
def _professionals() -> Select[tuple[str, str, str, str, str]]:
    return (
        select(
            StaffUser.name, StaffUser.title_fi, StaffUser.title_sv, StaffUser.organisation, StaffUser.email
        )
        .join(ClientAssignment, ClientAssignment.staff_user_id == StaffUser.id)
        .where(ClientAssignment.client_id == bindparam("client_id"), ClientAssignment.ended_at.is_(None))
        .order_by(StaffUser.name)
    )


def _steps_of(clients: ColumnElement[bool]) -> Select[tuple[int, str, int, str]]:
    return select(
        Pathway.client_id, Pathway.template_key, Pathway.template_version, Pathway.current_step
    ).where(clients, Pathway.status == in_text(PathwayStatus.ACTIVE))


@cache
def _active_steps() -> Select[tuple[int, str, int, str]]:
    return _steps_of(Pathway.client_id.in_(bindparam("client_ids", expanding=True)))


@prepared
def _active_step() -> Select[tuple[int, str, int, str]]:
    # The front page's, for one client: a list of ids is written into the SQL at every run, so only
    # a statement without one runs prepared (see read_values).
    return _steps_of(Pathway.client_id == bindparam("client_id"))


@prepared
def _client_pathways() -> Select[Any]:
    return (
        select(
            Pathway.id,
            Pathway.template_key,
            Pathway.template_version,
            Pathway.status,
            Pathway.current_step,
            Pathway.started_at,
            Pathway.closed_at,
            Pathway.outcome,
        )
        .where(Pathway.client_id == bindparam("client_id"))
        .order_by(Pathway.started_at.desc())
    )


@prepared
def _pathway_events() -> Select[Any]:
    return (
        select(
            PathwayEvent.kind,
            PathwayEvent.step,
            PathwayEvent.effective_on,
            PathwayEvent.note_encrypted,
            PathwayEvent.visible_to_client,
            PathwayEvent.note_for_client,
        )
        .where(PathwayEvent.pathway_id == bindparam("pathway_id"))
        .order_by(PathwayEvent.id)
    )


@bp.get("/pathway")
def client_pathway() -> str:
    client = current_client()
    db = get_db()
    pathways = _pathways(db, client.id)
    active = next((p for p in pathways if p.status == PathwayStatus.ACTIVE), None)
    shown = active or (pathways[0] if pathways else None)
    past = [p for p in pathways if p is not shown]
    context: dict[str, Any] = {
        "pathway": shown,
        "past": [(p, service.template_of(p)) for p in past],
        # The dates as given, for what is shown ended (most visits show only an active pathway).
        "dates": service.given_dates(
            db, [p.id for p in past] + ([shown.id] if shown is not None and shown is not active else [])
        ),
    }
    if shown is not None:
        template = service.template_of(shown)
        events = _events(db, shown.id)
        steps = timeline(template, shown, events)
        context.update(
            template=template,
            steps=steps,
            step_states=tuple((row["step"].key, row["state"]) for row in steps),
            current=template.step(shown.current_step),
            history=client_history(template, events),
            action=step_action(db, client, template.step(shown.current_step)) if active else None,
        )
    return render_template(
        "pathway/client.html",
        professionals=professionals_of(db, client.id),
        responsible_label=pathway_content.responsible_label,
        outcome_labels=OUTCOME_LABELS,
        **context,
    )


# --- Professionals -------------------------------------------------------------------------------------


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
    start.template.choices = [
        (key, tpl.title[locale]) for (key, _), tpl in sorted(pathway_content.load_all().items())
    ]
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
            {"event": event, "note": service.decrypt_note(event), "step": _step_title(template, step)}
        )
    return lines[::-1]


def _step_title(template: PathwayTemplate, key: str | None) -> str:
    keys = {step.key for step in template.steps}
    return template.step(key).title[current_locale()] if key in keys else ""


def _staff_only(client_id: int) -> Client:
    user = current_user()
    if not isinstance(user, StaffUser) or not user.has_role(Role.ADVISER, Role.STAFF):
        from flask import abort

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


# --- Parts of other pages ----------------------------------------------------------------------------


def _home_panel(db: Session, client: Client) -> dict[str, Any] | None:
    # The client list's columns for one client: the active pathway's template and step as values.
    found = read_values(db, _active_step(), {"client_id": client.id}).first()
    if found is None:
        return None
    _client_id, key, version, current_step = found
    template = pathway_content.load_all()[(key, version)]
    step = template.step(current_step)
    return {"step": step, "action": step_action(db, client, step), "template": template}


def _overview_panel(db: Session, client: Client) -> dict[str, Any] | None:
    rows = service.active_with_newest_events(db, client.id)
    if not rows:
        return {"pathway": None}
    pathway = rows[0]
    template = service.template_of(pathway)
    return {
        "pathway": pathway,
        "template": template,
        "current": template.step(pathway.current_step),
        "events": [
            {
                "effective_on": effective_on,
                "note": service.open_note(note_encrypted),
                "note_for_client": note_for_client,
                "step": _step_title(template, step),
            }
            # Unpacked in the statement's order: cheaper than reading each row by name.
            for _key, _version, _current, effective_on, step, note_encrypted, note_for_client in rows
            if effective_on is not None
        ],
    }


def _current_steps(db: Session, client_ids: list[int]) -> dict[int, str]:
    rows = read_values(db, _active_steps(), {"client_ids": client_ids}).all()
    templates = pathway_content.load_all()
    locale = current_locale()
    return {
        client_id: templates[(key, version)].step(step).title[locale]
        for client_id, key, version, step in rows  # unpacked: cheaper than reading a row by name
    }


panels.register(
    panels.CLIENT_HOME, panels.Panel("pathway", "pathway/_home_panel.html", _home_panel, order=40)
)
panels.register(
    panels.CLIENT_OVERVIEW,
    panels.Panel("pathway", "pathway/_overview_panel.html", _overview_panel, order=10, logs_as="pathway"),
)
panels.register_column(
    panels.Column("pathway", _l("Current step"), "pathway/_column.html", _current_steps, order=10)
)
