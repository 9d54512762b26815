"""The pathway's parts of pages other features own: the client's front page, the overview, the list."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, select
from sqlalchemy.orm import Session

from portal.content import pathways as pathway_content
from portal.i18n import current_locale
from portal.i18n import lazy_gettext as _l
from portal.models import Client, Pathway, PathwayStatus
from portal.models.base import in_text
from portal.services import pathway as service
from portal.services.reads import prepared, read_values
from portal.views import panels
from portal.views.pathway.steps import step_action, step_title


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
                "step": step_title(template, step),
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
