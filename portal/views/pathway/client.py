"""The client's pathway page: the steps, what happened, and who their professionals are."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

from flask import render_template
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

from portal.content import pathways as pathway_content
from portal.content.pathways import PathwayTemplate
from portal.db import get_db
from portal.forms.pathway import OUTCOME_LABELS
from portal.identity.access import current_client
from portal.models import ClientAssignment, Pathway, PathwayEvent, PathwayStatus, StaffUser
from portal.services import pathway as service
from portal.services.reads import prepared, read_values
from portal.views.pathway import bp
from portal.views.pathway.steps import in_date_order, other_waiting, step_action, timeline


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
        action = step_action(db, client, template.step(shown.current_step)) if active else None
        context.update(
            template=template,
            steps=steps,
            step_states=tuple((row["step"].key, row["state"]) for row in steps),
            current=template.step(shown.current_step),
            history=client_history(template, events),
            action=action,
            # Only while the current step asks nothing: reading every other step's state on each
            # visit cost 7 reads (pathway ratio 1.63 -> 2.30 side by side); the front page lists all.
            others=other_waiting(db, client, template, steps)
            if active and not (action and action.waiting)
            else (),
        )
    return render_template(
        "pathway/client.html",
        professionals=professionals_of(db, client.id),
        responsible_label=pathway_content.responsible_label,
        outcome_labels=OUTCOME_LABELS,
        **context,
    )
