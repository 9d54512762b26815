"""Moving a client's rehabilitation pathway: start, move to a step, skip, note, close."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any, Protocol, cast

from sqlalchemy import CursorResult, Select, bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from portal import crypto
from portal.content import pathways as pathway_content
from portal.content.pathways import PathwayTemplate
from portal.i18n import HELSINKI
from portal.models import Client, EventKind, Pathway, PathwayEvent, PathwayStatus
from portal.models.base import in_text, utcnow
from portal.services.audit import Actor, record_access
from portal.services.outbox import notify_client
from portal.services.reads import prepared, read_values

NOTE_CONTEXT = "pathway.note"
OUTCOMES = (
    "rehabilitation_completed",
    "employed_or_studying",
    "other_service",
    "not_eligible",
    "client_declined",
    "moved_away",
    "other",
)


class PathwayRefused(Exception):
    """The change cannot be made: the pathway is closed, the step unknown, or it changed meanwhile."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Change:
    effective_on: date
    note: str = ""
    note_for_client: bool = False


class OfTemplate(Protocol):
    """A pathway, or the columns of one that a page reads: which template and version it follows."""

    @property
    def template_key(self) -> str: ...

    @property
    def template_version(self) -> int: ...


def template_of(pathway: OfTemplate) -> PathwayTemplate:
    return pathway_content.load_all()[(pathway.template_key, pathway.template_version)]


def active_pathway(db: Session, client_id: int) -> Pathway | None:
    return db.scalar(_active_pathway(), {"client_id": client_id})


@cache
def _active_pathway() -> Select[tuple[Pathway]]:
    # Built once (pages and panels ask for it on most requests); the client comes as a parameter.
    return select(Pathway).where(
        Pathway.client_id == bindparam("client_id"), Pathway.status == in_text(PathwayStatus.ACTIVE)
    )


def closed_pathways(db: Session, client_id: int) -> list[Pathway]:
    """The client's earlier pathways, the latest closed first."""
    return list(
        db.scalars(
            select(Pathway)
            .options(selectinload(Pathway.events))
            .where(Pathway.client_id == client_id, Pathway.status == in_text(PathwayStatus.CLOSED))
            .order_by(Pathway.closed_at.desc(), Pathway.id.desc())
        )
    )


def given_dates(db: Session, pathway_ids: list[int]) -> dict[int, dict[str, date]]:
    """Each pathway's start and close as dated by the professional ({"started": d, "closed": d}):
    the record's own times are when they were written, which may be days later."""
    dates: dict[int, dict[str, date]] = {pathway_id: {} for pathway_id in pathway_ids}
    if pathway_ids:  # no query for none
        rows = db.execute(
            select(PathwayEvent.pathway_id, PathwayEvent.kind, PathwayEvent.effective_on).where(
                PathwayEvent.pathway_id.in_(pathway_ids),
                PathwayEvent.kind.in_((EventKind.STARTED.value, EventKind.CLOSED.value)),
            )
        )
        for pathway_id, kind, effective_on in rows:
            dates[pathway_id][kind] = effective_on
    return dates


def last_closed_on(db: Session, client_id: int) -> date | None:
    """The date the client's latest pathway was closed on, as given: a new one begins no earlier."""
    return db.scalar(
        select(func.max(PathwayEvent.effective_on))
        .join(Pathway, Pathway.id == PathwayEvent.pathway_id)
        .where(Pathway.client_id == client_id, PathwayEvent.kind == EventKind.CLOSED.value)
    )


def began_on(pathway: Pathway) -> date:
    """The day the pathway began, as its start was dated: no later change may be dated before it."""
    started = (event.effective_on for event in pathway.events if event.kind == EventKind.STARTED)
    return next(started, pathway.started_at.astimezone(HELSINKI).date())


def closed_on(pathway: Pathway) -> date | None:
    """The day a closed pathway ended, as its close was dated (the record's closed_at is when it was
    written down)."""
    closed = (event.effective_on for event in pathway.events if event.kind == EventKind.CLOSED)
    return next(closed, pathway.closed_at.astimezone(HELSINKI).date() if pathway.closed_at else None)


def last_step_on(pathway: Pathway) -> date:
    """The day of the latest change of step (the start, a move or a skip): a later change of step is
    not dated before it, or the history would read out of order."""
    steps = (EventKind.STARTED, EventKind.MOVED, EventKind.SKIPPED)
    return max(
        (event.effective_on for event in pathway.events if event.kind in steps), default=began_on(pathway)
    )


def decrypt_note(event: PathwayEvent) -> str:
    return open_note(event.note_encrypted)


def open_note(sealed: bytes | None) -> str:
    return crypto.open_text(sealed, NOTE_CONTEXT)


def active_with_newest_events(db: Session, client_id: int) -> list[Any]:
    """The active pathway and its five newest events, newest first, in one statement (the client
    overview shows them on every visit), as plain rows: template_key, template_version,
    current_step, and the event's effective_on, step, note_encrypted and note_for_client, which
    are None on the one row of a pathway without events. No rows: no pathway is active."""
    return list(read_values(db, _active_with_newest_events(), {"client_id": client_id}).all())


@prepared
def _active_with_newest_events() -> Select[Any]:
    return (
        select(
            Pathway.template_key,
            Pathway.template_version,
            Pathway.current_step,
            PathwayEvent.effective_on,
            PathwayEvent.step,
            PathwayEvent.note_encrypted,
            PathwayEvent.note_for_client,
        )
        .outerjoin(PathwayEvent, PathwayEvent.pathway_id == Pathway.id)
        .where(Pathway.client_id == bindparam("client_id"), Pathway.status == in_text(PathwayStatus.ACTIVE))
        .order_by(PathwayEvent.id.desc())
        .limit(5)
    )


def _event(pathway: Pathway, actor: Actor, kind: str, step: str | None, change: Change) -> PathwayEvent:
    note = change.note.strip()
    event = PathwayEvent(
        kind=kind,
        step=step,
        effective_on=change.effective_on,
        note_encrypted=crypto.encrypt(note, NOTE_CONTEXT) if note else None,
        visible_to_client=bool(note and change.note_for_client) or kind != EventKind.NOTE,
        note_for_client=bool(note and change.note_for_client),
        actor_id=actor.id,
    )
    pathway.events.append(event)
    return event


def _bump(db: Session, pathway: Pathway, expected_version: int) -> None:
    """Claim the change: a second adviser saving from the same page loses, never silently overwrites."""
    result = db.execute(
        update(Pathway)
        .where(
            Pathway.id == pathway.id,
            Pathway.version == expected_version,
            Pathway.status == PathwayStatus.ACTIVE,
        )
        .values(version=expected_version + 1)
        .execution_options(synchronize_session=False)
    )
    claimed = cast(CursorResult[Any], result).rowcount
    if claimed != 1:
        db.rollback()
        raise PathwayRefused("changed")
    db.refresh(pathway)


def _finish(
    db: Session, actor: Actor, client: Client, pathway: Pathway, event: PathwayEvent, action: str
) -> None:
    db.flush()
    if event.visible_to_client:
        notify_client(
            db,
            client,
            template_key="pathway_updated",
            params={"path": "/pathway"},
            idempotency_key=f"pathway-event:{event.id}",
        )
    record_access(
        db, actor=actor, action=action, object_type="pathway", object_id=pathway.id, client_id=client.id
    )
    db.commit()


def start_pathway(db: Session, actor: Actor, client: Client, template_key: str, change: Change) -> Pathway:
    template = pathway_content.latest(template_key)
    if active_pathway(db, client.id) is not None:
        raise PathwayRefused("already_active")
    pathway = Pathway(
        client_id=client.id,
        template_key=template.key,
        template_version=template.version,
        current_step=template.steps[0].key,
        started_by_id=actor.id,
    )
    db.add(pathway)
    event = _event(pathway, actor, EventKind.STARTED, template.steps[0].key, change)
    try:
        db.flush()
    except IntegrityError as error:  # another adviser started one at the same moment
        db.rollback()
        raise PathwayRefused("already_active") from error
    _finish(db, actor, client, pathway, event, "create")
    return pathway


def move_to_step(
    db: Session, actor: Actor, client: Client, pathway: Pathway, step_key: str, change: Change, version: int
) -> PathwayEvent:
    if pathway.status != PathwayStatus.ACTIVE:
        raise PathwayRefused("closed")
    if step_key not in {step.key for step in template_of(pathway).steps}:
        raise PathwayRefused("unknown_step")
    _bump(db, pathway, version)
    pathway.current_step = step_key
    event = _event(pathway, actor, EventKind.MOVED, step_key, change)
    _finish(db, actor, client, pathway, event, "change")
    return event


def skip_step(
    db: Session, actor: Actor, client: Client, pathway: Pathway, step_key: str, change: Change, version: int
) -> PathwayEvent:
    """A step that does not apply to this client, e.g. the B statement for a young client."""
    if pathway.status != PathwayStatus.ACTIVE:
        raise PathwayRefused("closed")
    template = template_of(pathway)
    if step_key not in {step.key for step in template.steps}:
        raise PathwayRefused("unknown_step")
    if not template.step(step_key).skippable:
        raise PathwayRefused("not_skippable")
    _bump(db, pathway, version)
    event = _event(pathway, actor, EventKind.SKIPPED, step_key, change)
    if pathway.current_step == step_key:
        following = template.next_step(step_key)
        if following is not None:
            pathway.current_step = following.key
    _finish(db, actor, client, pathway, event, "change")
    return event


def add_note(
    db: Session, actor: Actor, client: Client, pathway: Pathway, change: Change, version: int
) -> PathwayEvent:
    if not change.note.strip():
        raise PathwayRefused("empty_note")
    _bump(db, pathway, version)
    event = _event(pathway, actor, EventKind.NOTE, pathway.current_step, change)
    _finish(db, actor, client, pathway, event, "change")
    return event


def close_pathway(
    db: Session, actor: Actor, client: Client, pathway: Pathway, outcome: str, change: Change, version: int
) -> PathwayEvent:
    if pathway.status != PathwayStatus.ACTIVE:
        raise PathwayRefused("closed")
    if outcome not in OUTCOMES:
        raise PathwayRefused("unknown_outcome")
    _bump(db, pathway, version)
    pathway.status = PathwayStatus.CLOSED
    pathway.closed_at = utcnow()
    pathway.outcome = outcome
    event = _event(pathway, actor, EventKind.CLOSED, pathway.current_step, change)
    _finish(db, actor, client, pathway, event, "change")
    return event
