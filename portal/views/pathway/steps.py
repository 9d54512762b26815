"""The steps as both sides see them: each step's state, what it asks of the client, events by date."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, NamedTuple, Protocol, TypeVar

from flask import current_app
from sqlalchemy.orm import Session

from portal.content.pathways import Action, PathwayTemplate, Step
from portal.i18n import current_locale
from portal.i18n import lazy_gettext as _l
from portal.models import Client, EventKind, PathwayStatus
from portal.services.step_actions import ActionState, action_state
from portal.templating import kept_url_for

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
    waiting: bool = False  # the client can do it now (the link leads to it)


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
    return StepAction(asked, url, action.label[locale], waiting=True)


class OtherAction(NamedTuple):
    """Something another step asks that the client can already do: its link and the step's title."""

    url: str
    label: str
    step_title: str


def other_waiting(
    db: Session, client: Client, template: PathwayTemplate, steps: Sequence[dict[str, Any]]
) -> tuple[OtherAction, ...]:
    """What the other steps (not skipped) ask and the client can already do: a questionnaire opened
    or a time bookable before the pathway reaches their step, a consent still open from an earlier
    one. Shown when the current step asks nothing of the client now, so that the pathway page does
    not say "nothing to do" while the front page asks for answers."""
    locale = current_locale()
    found: list[OtherAction] = []
    asked: set[tuple[str, str]] = set()
    for row in steps:
        step, action = row["step"], row["step"].action
        if row["state"] in ("current", "skipped") or action is None or (action.kind, action.target) in asked:
            continue
        asked.add((action.kind, action.target))
        url = action_link(action)
        if url is not None and action_state(db, client, action) is ActionState.OPEN:
            found.append(OtherAction(url, action.label[locale], step.title[locale]))
    return tuple(found)


def action_link(action: Action | None) -> str | None:
    """Where the client does what the step asks, once that feature exists."""
    if action is None or action.kind not in ACTION_ENDPOINTS:
        return None
    endpoint = ACTION_ENDPOINTS[action.kind]
    return kept_url_for(endpoint) if endpoint in current_app.view_functions else None


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


class Dated(Protocol):
    @property
    def effective_on(self) -> date: ...


D = TypeVar("D", bound=Dated)


def in_date_order(events: Sequence[D], *, newest_first: bool = False) -> list[D]:
    """Events by the date each change was given, those of one day in the order they were made: a
    note or a change dated earlier takes its place in the history, not the top."""
    ordered = sorted(events, key=lambda event: event.effective_on)  # stable: id order within a day
    return ordered[::-1] if newest_first else ordered


def step_title(template: PathwayTemplate, key: str | None) -> str:
    keys = {step.key for step in template.steps}
    return template.step(key).title[current_locale()] if key in keys else ""
