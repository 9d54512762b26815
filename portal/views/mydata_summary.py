"""The data download's readable summary: each section's records as labelled rows in words."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from portal.views.mydata_fields import FIELDS, HEADINGS
from portal.views.mydata_values import Field, Group, Row, text


@dataclass(frozen=True)
class Block:
    """A field shown as groups of rows under its own heading: the answers, the pathway's events."""

    label: str
    groups: tuple[Group, ...]


@dataclass(frozen=True)
class Entry:
    heading: str | None
    rows: tuple[Row, ...]
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Part:
    title: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Summary:
    parts: tuple[Part, ...]
    # Keys with no entry in FIELDS ("section.key"): shown under their own name so nothing is lost,
    # and a test fails until they have a label.
    unlabelled: tuple[str, ...]


def summarise(sections: Mapping[str, Any], titles: Mapping[str, Any]) -> Summary:
    unlabelled: list[str] = []
    parts = []
    for key, value in sections.items():
        records = value if isinstance(value, list) else [value]
        heading = HEADINGS.get(key)
        entries = tuple(
            _entry(key, record, None if heading is None else str(heading(record)), unlabelled)
            for record in records
            if record
        )
        parts.append(Part(str(titles[key]), entries))
    return Summary(tuple(parts), tuple(dict.fromkeys(unlabelled)))


def _entry(section: str, record: Mapping[str, Any], heading: str | None, unlabelled: list[str]) -> Entry:
    rows: list[Row] = []
    blocks: list[Block] = []
    _walk(section, record, record, rows, blocks, unlabelled)
    return Entry(heading, tuple(rows), tuple(blocks))


def _walk(
    path: str,
    values: Mapping[str, Any],
    record: Mapping[str, Any],
    rows: list[Row],
    blocks: list[Block],
    unlabelled: list[str],
) -> None:
    """The rows of one mapping; a nested mapping with its own FIELDS entry adds its rows after."""
    fields = FIELDS.get(path, {})
    for key, value in values.items():
        where = f"{path}.{key}"
        if isinstance(value, Mapping) and where in FIELDS:
            _walk(where, value, record, rows, blocks, unlabelled)
            continue
        if key not in fields:
            unlabelled.append(where)
            shown = text(value, record)
            if shown is not None:
                rows.append(Row(key, shown if isinstance(shown, str) else str(value)))
            continue
        spec = fields[key]
        if spec is not None:
            _add(spec, value, record, where, rows, blocks, unlabelled)


def _add(
    spec: Field,
    value: Any,
    record: Mapping[str, Any],
    where: str,
    rows: list[Row],
    blocks: list[Block],
    unlabelled: list[str],
) -> None:
    if spec.reads:
        unlabelled.extend(f"{where}.{key}" for item in value for key in item if key not in spec.reads)
    shown = spec.show(value, record)
    if shown is None:
        return
    if isinstance(shown, str):
        rows.append(Row(str(spec.label), shown))
    elif isinstance(shown, tuple):
        rows.append(Row(str(spec.label), items=shown))
    else:
        blocks.append(Block(str(spec.label), tuple(shown)))
