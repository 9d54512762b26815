"""Pages that gather parts from several features register those parts here.

A feature adds its part of the client's front page or of the professional's client overview
without touching the page itself: a template to include and a loader that runs a constant
number of queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from portal.context import current_request
from portal.models import Client

Loader = Callable[[Session, Client], dict[str, Any] | None]


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    load: Loader
    order: int = 50
    # The access log's object type for a professional seeing this panel; the page writes the entries
    # of all its panels in one batch with its own.
    logs_as: str | None = None


CLIENT_HOME: dict[str, Panel] = {}
CLIENT_OVERVIEW: dict[str, Panel] = {}


def register(where: dict[str, Panel], panel: Panel) -> None:
    where[panel.key] = panel


def render_data(where: dict[str, Panel], db: Session, client: Client) -> list[tuple[Panel, dict[str, Any]]]:
    """Each panel with its data; a panel whose loader returns None has nothing to show."""
    shown = []
    for panel in sorted(where.values(), key=lambda p: (p.order, p.key)):
        data = panel.load(db, client)
        if data is not None:
            shown.append((panel, data))
    return shown


# The client overview's lists (appointments, questionnaires, consent requests) show the newest few;
# "Show all" (?show=all) lists every one. The page then stays the same size whatever the history.
OVERVIEW_ROWS = 10
ALL_ROWS = 1_000_000  # a LIMIT both databases take


def overview_rows() -> int:
    """How many rows a panel of the client overview asks for: one more than it shows, to know
    whether there are more."""
    return ALL_ROWS if current_request().args.get("show") == "all" else OVERVIEW_ROWS + 1


def newest(rows: list[Any]) -> dict[str, Any]:
    """The rows a panel shows (a tuple, which a kept fragment can take as its key), and whether
    older ones were left out."""
    more = len(rows) > OVERVIEW_ROWS and current_request().args.get("show") != "all"
    return {"rows": tuple(rows[:OVERVIEW_ROWS] if more else rows), "more": more, "shown": OVERVIEW_ROWS}


# Columns of the professional's client list: one batch loader per feature, for all clients on the page.
BatchLoader = Callable[[Session, list[int]], dict[int, Any]]


@dataclass(frozen=True)
class Column:
    key: str
    heading: Any  # a lazy translated string
    template: str  # renders `value` for one client
    load: BatchLoader
    order: int = 50


CLIENT_LIST_COLUMNS: dict[str, Column] = {}


def register_column(column: Column) -> None:
    CLIENT_LIST_COLUMNS[column.key] = column


def column_data(db: Session, client_ids: list[int]) -> list[tuple[Column, dict[int, Any]]]:
    return [
        (column, column.load(db, client_ids))
        for column in sorted(CLIENT_LIST_COLUMNS.values(), key=lambda c: (c.order, c.key))
    ]


# Sections of the client's "download my data" archive: a title and a function giving JSON-able data.
Exporter = Callable[[Session, Client], Any]


@dataclass(frozen=True)
class Export:
    key: str
    title: Any  # a lazy translated string
    collect: Exporter
    order: int = 50


DATA_EXPORTS: dict[str, Export] = {}


def register_export(export: Export) -> None:
    DATA_EXPORTS[export.key] = export
