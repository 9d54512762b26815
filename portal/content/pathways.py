"""Pathway templates: the steps of a rehabilitation pathway as the client sees them, in fi and sv."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal, cast

from portal.content import CONTENT_DIR, ContentError
from portal.content.consents import (
    CONSENTS_DIR,
    PARTIES_FILE,
    Reader,
    Texts,
    load_party_registry,
    read_parties,
    read_versioned_file,
    template_keys,
)

PATHWAYS_DIR = CONTENT_DIR / "pathways"
QUESTIONNAIRES_DIR = CONTENT_DIR / "questionnaires"
CLIENT = "client"
ActionKind = Literal["consent", "questionnaire", "booking", "document"]
ACTION_KINDS: tuple[ActionKind, ...] = ("consent", "questionnaire", "booking", "document")
APPOINTMENT_TYPES = ("rehabilitation_interview", "network_meeting", "guidance", "nurse_appointment")
# The client is no party to a data exchange, so the label lives here rather than in parties.toml.
_CLIENT_LABEL = {"fi": "sinä itse", "sv": "du själv"}


@dataclass(frozen=True)
class Action:
    kind: ActionKind
    target: str
    label: Texts


@dataclass(frozen=True)
class Step:
    key: str
    title: Texts
    meaning: Texts
    responsible: str
    client_action: Texts
    typical_duration: Texts
    action: Action | None
    skippable: bool
    expected_days: int | None


@dataclass(frozen=True)
class PathwayTemplate:
    key: str
    version: int
    title: Texts
    description: Texts
    steps: tuple[Step, ...]

    def step(self, key: str) -> Step:
        return next(step for step in self.steps if step.key == key)

    def next_step(self, key: str) -> Step | None:
        keys = [step.key for step in self.steps]
        position = keys.index(key) + 1
        return self.steps[position] if position < len(self.steps) else None


def responsible_keys(parties_file: Path = PARTIES_FILE) -> tuple[str, ...]:
    return (*load_party_registry(parties_file), CLIENT)


def responsible_label(key: str, locale: str) -> str:
    """Who is responsible for a step, as the client reads it: "Kela", "Keusote", "sinä itse"."""
    if key == CLIENT:
        return _CLIENT_LABEL[locale]
    return load_party_registry()[key].short_name[locale]


# The keys that actions may name, by kind: what exists under content/, by file name.
Targets = dict[str, set[str]]


def _targets(consents_directory: Path, questionnaires_directory: Path) -> Targets:
    return {
        "consent": template_keys(consents_directory),
        "questionnaire": template_keys(questionnaires_directory),
    }


def _parse(
    path: Path, responsible: tuple[str, ...], targets: Targets, problems: list[str]
) -> PathwayTemplate | None:
    start = len(problems)
    file = read_versioned_file(path, problems)
    if file is None:
        return None
    file.only("key", "version", "title", "description", "step")
    steps = [_step(entry, responsible, targets) for entry in file.tables("step")]
    if not steps:
        file.problem("needs at least one [[step]]")
    keys = [step.key for step in steps]
    for key in sorted({key for key in keys if keys.count(key) > 1}):
        file.problem(f"duplicate step {key!r}")
    template = PathwayTemplate(
        key=str(file.data.get("key")),
        version=int(file.data.get("version") or 0),
        title=file.texts("title"),
        description=file.texts("description"),
        steps=tuple(steps),
    )
    return template if len(problems) == start else None


def _step(entry: Reader, responsible: tuple[str, ...], targets: Targets) -> Step:
    entry.only(*Step.__dataclass_fields__)
    who = entry.data.get("responsible")
    if who not in responsible:
        entry.problem(f"responsible {who!r} is not one of {', '.join(responsible)}")
    action = entry.data.get("action")
    if action is not None and not isinstance(action, dict):
        entry.problem("action must be a table (action.kind, action.target, action.label)")
        action = None
    return Step(
        key=entry.key(),
        title=entry.texts("title"),
        meaning=entry.texts("meaning"),
        responsible=str(who),
        # Nothing to do is a real answer for many steps; half a translation is not.
        client_action=entry.texts("client_action", required=False),
        typical_duration=entry.texts("typical_duration"),
        action=_action(Reader(action, f"{entry.where}: action", entry.problems), targets)
        if action is not None
        else None,
        skippable=entry.flag("skippable"),
        expected_days=entry.count("expected_days"),
    )


def _action(entry: Reader, targets: Targets) -> Action:
    entry.only("kind", "target", "label")
    kind = entry.data.get("kind")
    target = entry.key("target")
    if kind not in ACTION_KINDS:
        entry.problem(f"kind {kind!r} is not one of {', '.join(ACTION_KINDS)}")
    elif kind in targets and target and target not in targets[kind]:
        entry.problem(f"{kind} {target!r} does not exist under content/")
    elif kind == "booking" and target and target not in APPOINTMENT_TYPES:
        entry.problem(f"appointment type {target!r} is not one of {', '.join(APPOINTMENT_TYPES)}")
    return Action(cast(ActionKind, kind), target, entry.texts("label"))


def load_template(
    path: Path, consents_directory: Path = CONSENTS_DIR, questionnaires_directory: Path = QUESTIONNAIRES_DIR
) -> PathwayTemplate:
    problems: list[str] = []
    template = _parse(
        path, responsible_keys(), _targets(consents_directory, questionnaires_directory), problems
    )
    if template is None:
        raise ContentError("; ".join(problems))
    return template


def check_pathways(
    directory: Path = PATHWAYS_DIR,
    consents_directory: Path = CONSENTS_DIR,
    parties_file: Path = PARTIES_FILE,
    questionnaires_directory: Path = QUESTIONNAIRES_DIR,
) -> list[str]:
    """Every problem in every pathway template, for `flask content check`."""
    try:
        responsible = (*read_parties(parties_file), CLIENT)
    except ContentError as error:
        return [str(error)]
    targets = _targets(consents_directory, questionnaires_directory)
    problems: list[str] = []
    paths = sorted(directory.glob("*.toml"))
    if not paths:
        problems.append(f"{directory.name}: no pathway templates")
    for path in paths:
        _parse(path, responsible, targets, problems)
    return problems


@cache
def load_all(directory: Path = PATHWAYS_DIR) -> dict[tuple[str, int], PathwayTemplate]:
    """Every template by (key, version); refuses them all if any one is wrong, as start-up should."""
    problems = check_pathways(directory)
    if problems:
        raise ContentError("; ".join(problems))
    templates = [load_template(path) for path in sorted(directory.glob("*.toml"))]
    return {(template.key, template.version): template for template in templates}


def latest(key: str, directory: Path = PATHWAYS_DIR) -> PathwayTemplate:
    """The newest published version of a pathway; KeyError when there is none."""
    versions = [template for (k, _), template in load_all(directory).items() if k == key]
    if not versions:
        raise KeyError(key)
    return max(versions, key=lambda template: template.version)


def validate() -> None:
    """Start-up: refuse to serve with any pathway wrong."""
    load_all()
