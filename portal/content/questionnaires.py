"""Pre-interview questionnaires: the versioned fi/sv TOML format, its validation and the answer logic."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from portal.content import CONTENT_DIR, ContentError
from portal.i18n import LOCALES

QUESTIONNAIRES_DIR = CONTENT_DIR / "questionnaires"
ITEM_TYPES = ("text", "textarea", "integer", "date", "single", "multiple", "yesno", "scale")
CHOICE_TYPES = ("single", "multiple")
OPERATORS = ("equals", "not_equals", "any_of", "gt", "lt", "answered")
YESNO_VALUES = ("yes", "no")
DEFAULT_MAX_LENGTH = {"text": 200, "textarea": 2000}

Text = dict[str, str]
Answers = Mapping[str, object]

# What each type may carry besides the keys every item has; anything else is refused, so a typo never
# silently turns into a missing limit.
_TYPE_KEYS = {
    "text": {"max_length"},
    "textarea": {"max_length"},
    "integer": {"min", "max", "flag_below", "flag_above"},
    "date": {"past"},
    "single": {"option"},
    "multiple": {"option"},
    "yesno": {"flag_answer"},
    "scale": {"min", "max", "min_label", "max_label", "flag_below", "flag_above"},
}
_ITEM_KEYS = {"id", "type", "label", "hint", "required", "condition"}
# Ids become form field names and FHIR linkIds, so they stay plain.
_ID = re.compile(r"[a-z][a-z0-9_]*")
_FILE_NAME = re.compile(r"(?P<key>[a-z][a-z0-9_]*)\.v(?P<version>[1-9][0-9]*)\.toml")


@dataclass(frozen=True)
class Condition:
    """A leaf (``item`` compared by ``op`` with ``value``) or ``all`` / ``any`` of ``parts``."""

    op: str
    item: str = ""
    value: object = None
    parts: tuple[Condition, ...] = ()

    def leaves(self) -> tuple[Condition, ...]:
        if self.op in ("all", "any"):
            return tuple(leaf for part in self.parts for leaf in part.leaves())
        return (self,)


@dataclass(frozen=True)
class Option:
    value: str
    label: Text
    flag: bool = False
    exclusive: bool = False


@dataclass(frozen=True)
class Item:
    id: str
    type: str
    label: Text
    hint: Text | None = None
    required: bool = False
    options: tuple[Option, ...] = ()
    min: int | None = None
    max: int | None = None
    max_length: int | None = None
    min_label: Text | None = None
    max_label: Text | None = None
    flag_below: int | None = None
    flag_above: int | None = None
    flag_answer: str | None = None
    condition: Condition | None = None
    past: bool = False  # a date that has happened: today or earlier

    def option(self, value: object) -> Option | None:
        return next((option for option in self.options if option.value == value), None)


@dataclass(frozen=True)
class Page:
    id: str
    title: Text
    items: tuple[Item, ...]
    condition: Condition | None = None


@dataclass(frozen=True)
class Section:
    id: str
    title: Text
    pages: tuple[Page, ...]


@dataclass(frozen=True)
class Questionnaire:
    key: str
    version: int
    title: Text
    intro: Text
    sections: tuple[Section, ...]

    @cached_property
    def pages(self) -> tuple[Page, ...]:
        return tuple(page for section in self.sections for page in section.pages)

    @cached_property
    def items(self) -> tuple[Item, ...]:
        return tuple(item for page in self.pages for item in page.items)

    @cached_property
    def _page_of_item(self) -> dict[str, Page]:
        return {item.id: page for page in self.pages for item in page.items}

    def item(self, item_id: str) -> Item:
        return next(item for item in self._page_of_item[item_id].items if item.id == item_id)

    @cached_property
    def conditions_look_back(self) -> bool:
        """Every condition asks only about items on earlier pages (what the content check demands)."""
        position = {item.id: number for number, page in enumerate(self.pages) for item in page.items}
        return all(
            position.get(leaf.item, len(self.pages)) < number
            for number, page in enumerate(self.pages)
            for condition in (page.condition, *(item.condition for item in page.items))
            if condition is not None
            for leaf in condition.leaves()
        )

    def page(self, page_id: str) -> Page:
        return self.pages[page_index(self)[page_id]]

    def page_of(self, item_id: str) -> Page:
        return self._page_of_item[item_id]

    def section_of(self, page_id: str) -> Section:
        return next(section for section in self.sections if any(p.id == page_id for p in section.pages))


class _Reader:
    """Turns parsed TOML into dataclasses, collecting every problem rather than stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.ids: set[str] = set()
        self.items: dict[str, tuple[Item, int]] = {}  # with the position of the item's page
        self.conditions: list[tuple[str, Condition, int]] = []

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def identifier(self, data: dict[str, Any], kind: str) -> tuple[str, str]:
        ident = data.get("id")
        where = f"{kind} {ident!r}"
        if not isinstance(ident, str) or not _ID.fullmatch(ident):
            self.problem(where, "id must be lowercase letters, digits and underscores")
        elif ident in self.ids:
            self.problem(where, "duplicate id")
        self.ids.add(str(ident))
        return str(ident), where

    def text(self, data: dict[str, Any], key: str, where: str, required: bool = True) -> Text | None:
        value = data.get(key)
        if value is None:
            if required:
                self.problem(where, f"{key} is missing")
            return None
        if not isinstance(value, dict):
            self.problem(where, f"{key} must be a table of fi and sv texts")
            return None
        for locale in LOCALES:
            if not isinstance(value.get(locale), str) or not value[locale].strip():
                self.problem(where, f"{key} has no {locale} text")
        for extra in sorted(set(value) - set(LOCALES)):
            self.problem(where, f"{key} has an unknown language {extra!r}")
        return {locale: str(value.get(locale, "")) for locale in LOCALES}

    def integer(self, data: dict[str, Any], key: str, where: str) -> int | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            self.problem(where, f"{key} must be a whole number")
            return None
        return value

    def flag(self, data: dict[str, Any], key: str, where: str) -> bool:
        value = data.get(key, False)
        if not isinstance(value, bool):
            self.problem(where, f"{key} must be true or false")
        return value is True

    def tables(self, data: dict[str, Any], key: str, where: str) -> list[dict[str, Any]]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
            self.problem(where, f"{key} must be a list of tables ([[...{key}]])")
            return []
        if not value:
            self.problem(where, f"needs at least one {key}")
        return value

    def condition(self, raw: object, where: str, page_position: int) -> Condition | None:
        if raw is None:
            return None
        condition = self._condition(raw, where)
        if condition is not None:
            self.conditions.append((where, condition, page_position))
        return condition

    def _condition(self, raw: object, where: str) -> Condition | None:
        if not isinstance(raw, dict):
            self.problem(where, "condition must be a table")
            return None
        group = next((op for op in ("all", "any") if op in raw), None)
        if group is not None:
            if len(raw) != 1 or not isinstance(raw[group], list) or not raw[group]:
                self.problem(where, f"condition {group} needs a non-empty list and nothing beside it")
                return None
            parts = [self._condition(part, where) for part in raw[group]]
            valid = tuple(part for part in parts if part is not None)
            return Condition(group, parts=valid) if len(valid) == len(parts) else None
        op, item = raw.get("op"), raw.get("item")
        if op not in OPERATORS:
            self.problem(where, f"unknown condition operator {op!r}")
            return None
        if not isinstance(item, str) or set(raw) - {"item", "op", "value"}:
            self.problem(where, "a condition needs item and op, a value, and nothing else")
            return None
        if (op == "answered") == ("value" in raw):
            self.problem(where, "answered takes no value" if op == "answered" else f"{op} needs a value")
            return None
        value = raw.get("value")
        if op == "any_of":
            if not isinstance(value, list) or not value:
                self.problem(where, "any_of needs a non-empty list of values")
                return None
            value = tuple(value)
        return Condition(op, item, value)

    def check_conditions(self) -> None:
        for where, condition, page_position in self.conditions:
            for leaf in condition.leaves():
                if leaf.item not in self.items:
                    self.problem(where, f"condition refers to unknown item {leaf.item!r}")
                # Earlier *page*: without JavaScript a page cannot react to answers given on itself.
                elif self.items[leaf.item][1] >= page_position:
                    self.problem(where, f"condition refers to {leaf.item!r}, which is not on an earlier page")
                elif message := _value_problem(leaf, self.items[leaf.item][0]):
                    self.problem(where, message)


def _value_problem(leaf: Condition, target: Item) -> str | None:
    if leaf.op == "answered":
        return None
    if leaf.op in ("gt", "lt") and target.type not in ("integer", "scale", "date"):
        return f"{leaf.op} cannot compare the {target.type} item {target.id!r}"
    values = leaf.value if isinstance(leaf.value, tuple) else (leaf.value,)
    for value in values:
        if not is_possible_answer(target, value):
            return f"condition value {value!r} is not a possible answer to {target.id!r}"
    return None


def is_possible_answer(item: Item, value: object) -> bool:
    """Whether one answer value (one choice of a multiple item) fits the item's type, options and limits."""
    if item.type in CHOICE_TYPES:
        return item.option(value) is not None
    if item.type == "yesno":
        return value in YESNO_VALUES
    if item.type in ("integer", "scale"):
        return (
            isinstance(value, int)
            and not isinstance(value, bool)
            and (item.min is None or value >= item.min)
            and (item.max is None or value <= item.max)
        )
    if item.type == "date":
        try:
            return isinstance(value, str) and bool(date.fromisoformat(value))
        except ValueError:
            return False
    return isinstance(value, str) and len(value) <= (item.max_length or 0)


def _read_option(reader: _Reader, raw: dict[str, Any], where: str) -> Option:
    value = raw.get("value")
    if not isinstance(value, str) or not _ID.fullmatch(value):
        reader.problem(where, f"option value {value!r} must be lowercase letters, digits and underscores")
    for extra in sorted(set(raw) - {"value", "label", "flag", "exclusive"}):
        reader.problem(where, f"option {value!r} has an unknown key {extra!r}")
    label = reader.text(raw, "label", f"{where} option {value!r}") or {}
    return Option(str(value), label, reader.flag(raw, "flag", where), reader.flag(raw, "exclusive", where))


def _read_item(reader: _Reader, raw: dict[str, Any], page_position: int) -> Item:
    ident, where = reader.identifier(raw, "item")
    kind = str(raw.get("type"))
    if kind not in ITEM_TYPES:
        reader.problem(where, f"unknown type {kind!r}")
    else:
        for key in sorted(set(raw) - _ITEM_KEYS - _TYPE_KEYS[kind]):
            known = any(key in keys for keys in _TYPE_KEYS.values())
            reader.problem(where, f"a {kind} item takes no {key}" if known else f"unknown key {key!r}")
    options: tuple[Option, ...] = ()
    if kind in CHOICE_TYPES:
        options = tuple(_read_option(reader, entry, where) for entry in reader.tables(raw, "option", where))
        values = [option.value for option in options]
        for value in sorted({value for value in values if values.count(value) > 1}):
            reader.problem(where, f"duplicate option value {value!r}")
        exclusive = sum(option.exclusive for option in options)
        if exclusive and kind != "multiple":
            reader.problem(where, "only a multiple item can have an exclusive option")
        elif exclusive > 1:
            reader.problem(where, "more than one exclusive option")
    low, high = reader.integer(raw, "min", where), reader.integer(raw, "max", where)
    if kind == "scale" and (low is None or high is None):
        reader.problem(where, "a scale needs min and max")
    if low is not None and high is not None and low > high:
        reader.problem(where, f"min {low} is greater than max {high}")
    max_length = reader.integer(raw, "max_length", where)
    if max_length is not None and max_length < 1:
        reader.problem(where, "max_length must be at least 1")
    if raw.get("flag_answer", "yes") not in YESNO_VALUES:
        reader.problem(where, 'flag_answer must be "yes" or "no"')
    item = Item(
        id=ident,
        type=kind,
        label=reader.text(raw, "label", where) or {},
        hint=reader.text(raw, "hint", where, required=False),
        required=reader.flag(raw, "required", where),
        options=options,
        min=low,
        max=high,
        max_length=DEFAULT_MAX_LENGTH.get(kind) if max_length is None else max_length,
        min_label=reader.text(raw, "min_label", where, required=kind == "scale"),
        max_label=reader.text(raw, "max_label", where, required=kind == "scale"),
        flag_below=reader.integer(raw, "flag_below", where),
        flag_above=reader.integer(raw, "flag_above", where),
        flag_answer=raw.get("flag_answer"),
        condition=reader.condition(raw.get("condition"), where, page_position),
        past=reader.flag(raw, "past", where),
    )
    reader.items.setdefault(ident, (item, page_position))
    return item


def _read_questionnaire(reader: _Reader, data: dict[str, Any], file_name: str) -> Questionnaire:
    key, version = data.get("key"), data.get("version")
    expected = f"{key}.v{version}.toml"
    if not isinstance(key, str) or not isinstance(version, int) or not _FILE_NAME.fullmatch(expected):
        reader.problem(
            "questionnaire", "needs a key (lowercase letters, digits, _) and a version (1, 2, ...)"
        )
    elif file_name != expected:
        reader.problem("file name", f"must be <key>.v<version>.toml to match the contents: {expected}")
    for extra in sorted(set(data) - {"key", "version", "title", "intro", "section"}):
        reader.problem("questionnaire", f"unknown key {extra!r}")
    sections, position = [], 0
    for raw_section in reader.tables(data, "section", "questionnaire"):
        section_id, section_where = reader.identifier(raw_section, "section")
        pages = []
        for raw_page in reader.tables(raw_section, "page", section_where):
            page_id, where = reader.identifier(raw_page, "page")
            condition = reader.condition(raw_page.get("condition"), where, position)
            items = [_read_item(reader, raw, position) for raw in reader.tables(raw_page, "item", where)]
            pages.append(Page(page_id, reader.text(raw_page, "title", where) or {}, tuple(items), condition))
            position += 1
        sections.append(
            Section(section_id, reader.text(raw_section, "title", section_where) or {}, tuple(pages))
        )
    reader.check_conditions()
    return Questionnaire(
        key=str(key),
        version=version if isinstance(version, int) else 0,
        title=reader.text(data, "title", "questionnaire") or {},
        intro=reader.text(data, "intro", "questionnaire") or {},
        sections=tuple(sections),
    )


def _read(path: Path) -> tuple[Questionnaire | None, list[str]]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        return None, [f"{path.name}: cannot be read: {error}"]
    reader = _Reader()
    questionnaire = _read_questionnaire(reader, data, path.name)
    return questionnaire, [f"{path.name}: {problem}" for problem in reader.problems]


def load_questionnaire(path: Path) -> Questionnaire:
    questionnaire, problems = _read(path)
    if problems or questionnaire is None:
        raise ContentError("; ".join(problems))
    return questionnaire


def check_questionnaires(directory: Path = QUESTIONNAIRES_DIR) -> list[str]:
    """Every problem in every definition, for `flask content check`."""
    paths = sorted(directory.glob("*.toml"))
    if not paths:
        return [f"{directory.name}: no questionnaire files"]
    return [problem for path in paths for problem in _read(path)[1]]


@cache
def load_all(directory: Path = QUESTIONNAIRES_DIR) -> Mapping[tuple[str, int], Questionnaire]:
    loaded = (load_questionnaire(path) for path in sorted(directory.glob("*.toml")))
    return {(questionnaire.key, questionnaire.version): questionnaire for questionnaire in loaded}


def latest(key: str, directory: Path = QUESTIONNAIRES_DIR) -> Questionnaire:
    versions = [q for (found, _), q in load_all(directory).items() if found == key]
    if not versions:
        raise KeyError(f"no questionnaire {key!r} in {directory}")
    return max(versions, key=lambda questionnaire: questionnaire.version)


def is_answered(value: object) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list | tuple | set | frozenset):
        return bool(value)
    return value is not None


def evaluate(condition: Condition | None, answers: Answers) -> bool:
    """Whether a condition holds; every operator but ``answered`` is false for an unanswered item."""
    if condition is None:
        return True
    if condition.op in ("all", "any"):
        results = (evaluate(part, answers) for part in condition.parts)
        return all(results) if condition.op == "all" else any(results)
    answer = answers.get(condition.item)
    if isinstance(answer, date):
        answer = answer.isoformat()
    if not is_answered(answer):
        return False
    # A multiple item's answer is a list: equals means "this option was among the chosen".
    chosen = list(answer) if isinstance(answer, list | tuple) else [answer]
    wanted = condition.value if isinstance(condition.value, tuple) else (condition.value,)
    match condition.op:
        case "answered":
            return True
        case "equals" | "any_of":
            return any(value in chosen for value in wanted)
        case "not_equals":
            return condition.value not in chosen
    return _compare(answer, condition.op, condition.value)


def _compare(answer: object, op: str, bound: object) -> bool:
    if isinstance(answer, bool) or isinstance(bound, bool):
        return False
    if isinstance(answer, int) and isinstance(bound, int):
        return answer > bound if op == "gt" else answer < bound
    if isinstance(answer, str) and isinstance(bound, str):  # ISO dates order as text
        return answer > bound if op == "gt" else answer < bound
    return False


def visible_items(page: Page, answers: Answers) -> tuple[Item, ...]:
    """The page's items shown for these answers; pass answers from prune_hidden when they may be stale."""
    return tuple(item for item in page.items if evaluate(item.condition, answers))


def prune_hidden(questionnaire: Questionnaire, answers: Answers) -> dict[str, object]:
    """The answers without those to unknown items or items hidden under the remaining answers."""
    if questionnaire.conditions_look_back:
        # Whether a page or item shows depends only on earlier pages, already settled: one pass.
        kept: dict[str, object] = {}
        for page in questionnaire.pages:
            if evaluate(page.condition, kept):
                for item in page.items:
                    if item.id in answers and evaluate(item.condition, kept):
                        kept[item.id] = answers[item.id]
        return kept
    current = dict(answers)
    while True:
        # Dropping one answer can hide further items, so repeat until nothing changes.
        kept = {
            item.id: current[item.id]
            for page in questionnaire.pages
            if evaluate(page.condition, current)
            for item in visible_items(page, current)
            if item.id in current
        }
        if kept == current:
            return kept
        current = kept


def visible_pages(questionnaire: Questionnaire, answers: Answers) -> tuple[Page, ...]:
    """The pages shown for these answers: the page's condition holds and it shows an item."""
    if not questionnaire.conditions_look_back:
        return _visible_pages_of(questionnaire, prune_hidden(questionnaire, answers))
    # prune_hidden's one pass, deciding each page on the way: when a page is reached, the answers
    # kept so far are all its conditions can ask about, so each condition is evaluated once.
    kept: dict[str, object] = {}
    shown = []
    for page in questionnaire.pages:
        if not evaluate(page.condition, kept):
            continue
        items = [item for item in page.items if evaluate(item.condition, kept)]
        if items:
            shown.append(page)
        kept.update((item.id, answers[item.id]) for item in items if item.id in answers)
    return tuple(shown)


def _visible_pages_of(questionnaire: Questionnaire, effective: Answers) -> tuple[Page, ...]:
    return tuple(
        page
        for page in questionnaire.pages
        if evaluate(page.condition, effective) and visible_items(page, effective)
    )


def page_index(questionnaire: Questionnaire) -> dict[str, int]:
    """Each page id's position in the questionnaire, visible or not."""
    return {page.id: position for position, page in enumerate(questionnaire.pages)}


def next_page(questionnaire: Questionnaire, answers: Answers, after: str | None = None) -> Page | None:
    """The first visible page after ``after`` (or the first of all); None when the client is done."""
    index = page_index(questionnaire)
    start = -1 if after is None else index[after]
    return next((p for p in visible_pages(questionnaire, answers) if index[p.id] > start), None)


def previous_page(questionnaire: Questionnaire, answers: Answers, before: str) -> Page | None:
    index = page_index(questionnaire)
    earlier = [p for p in visible_pages(questionnaire, answers) if index[p.id] < index[before]]
    return earlier[-1] if earlier else None


def flagged_answers(questionnaire: Questionnaire, answers: Answers) -> list[tuple[Item, Option | None]]:
    """Answers for the adviser's attention in questionnaire order; no option for a threshold or yes/no."""
    effective = prune_hidden(questionnaire, answers)
    flagged: list[tuple[Item, Option | None]] = []
    for item in questionnaire.items:
        if not is_answered(answer := effective.get(item.id)):
            continue
        chosen = answer if isinstance(answer, list | tuple) else [answer]
        flagged.extend((item, option) for option in item.options if option.flag and option.value in chosen)
        number = answer if isinstance(answer, int) and not isinstance(answer, bool) else None
        if (
            (item.flag_answer is not None and answer == item.flag_answer)
            or (number is not None and item.flag_below is not None and number < item.flag_below)
            or (number is not None and item.flag_above is not None and number > item.flag_above)
        ):
            flagged.append((item, None))
    return flagged
