"""FHIR R4B export: a questionnaire definition as a Questionnaire, answers as a QuestionnaireResponse."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from portal.content.questionnaires import (
    Answers,
    Condition,
    Item,
    Page,
    Questionnaire,
    Section,
    Text,
    is_answered,
    prune_hidden,
)
from portal.i18n import LOCALES

# Deployments pass their public base; .example is reserved, so the default never names a real server.
DEFAULT_CANONICAL_BASE = "https://polku.example/fhir"

TRANSLATION = "http://hl7.org/fhir/StructureDefinition/translation"
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
ITEM_CONTROL = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
ITEM_CONTROL_SYSTEM = "http://hl7.org/fhir/questionnaire-item-control"
OPTION_EXCLUSIVE = "http://hl7.org/fhir/StructureDefinition/questionnaire-optionExclusive"

FHIR_TYPES = {
    "text": "string",
    "textarea": "text",
    "integer": "integer",
    "date": "date",
    "single": "choice",
    "multiple": "choice",
    "yesno": "boolean",
    "scale": "integer",
}
_OPERATORS = {"equals": "=", "not_equals": "!=", "any_of": "=", "gt": ">", "lt": "<"}
_CONTROLS = {"single": "radio-button", "multiple": "check-box", "scale": "slider"}

JSON = dict[str, Any]


def canonical_url(questionnaire: Questionnaire, canonical_base: str = DEFAULT_CANONICAL_BASE) -> str:
    return f"{canonical_base}/Questionnaire/{questionnaire.key}"


def questionnaire_to_fhir(
    questionnaire: Questionnaire, locale: str, *, canonical_base: str = DEFAULT_CANONICAL_BASE
) -> JSON:
    """The definition in ``locale``, the other language carried in translation extensions."""
    return {
        "resourceType": "Questionnaire",
        # FHIR ids allow no underscore.
        "id": f"{questionnaire.key.replace('_', '-')}-v{questionnaire.version}",
        "language": locale,
        "url": canonical_url(questionnaire, canonical_base),
        "identifier": [{"system": f"{canonical_base}/questionnaire-key", "value": questionnaire.key}],
        "version": str(questionnaire.version),
        "name": "".join(part.capitalize() for part in questionnaire.key.split("_")),
        **_text("title", questionnaire.title, locale),
        "status": "active",
        "subjectType": ["Patient"],
        **_text("description", questionnaire.intro, locale),
        "item": [_section(section, questionnaire, locale) for section in questionnaire.sections],
    }


def response_to_fhir(
    questionnaire: Questionnaire,
    answers: Answers,
    *,
    status: str = "completed",
    authored: datetime,
    subject_reference: str | None = None,
    locale: str,
    canonical_base: str = DEFAULT_CANONICAL_BASE,
) -> JSON:
    """The answers that count (hidden ones pruned) nested as section > page > item, as in the definition."""
    if authored.tzinfo is None:
        raise ValueError("authored must be timezone-aware")
    effective = prune_hidden(questionnaire, answers)
    sections = []
    for section in questionnaire.sections:
        pages = []
        for page in section.pages:
            items = [
                {
                    "linkId": item.id,
                    "text": item.label[locale],
                    "answer": _answers(item, effective[item.id], locale),
                }
                for item in page.items
                if is_answered(effective.get(item.id))
            ]
            if items:
                pages.append({"linkId": page.id, "text": page.title[locale], "item": items})
        if pages:
            sections.append({"linkId": section.id, "text": section.title[locale], "item": pages})
    resource: JSON = {
        "resourceType": "QuestionnaireResponse",
        "language": locale,
        "questionnaire": f"{canonical_url(questionnaire, canonical_base)}|{questionnaire.version}",
        "status": status,
        "authored": authored.isoformat(),
    }
    if subject_reference:
        resource["subject"] = {"reference": subject_reference}
    if sections:
        resource["item"] = sections
    return resource


def _text(field: str, text: Text, locale: str) -> JSON:
    translations = [
        {
            "url": TRANSLATION,
            "extension": [
                {"url": "lang", "valueCode": other},
                {"url": "content", "valueString": text[other]},
            ],
        }
        for other in LOCALES
        if other != locale
    ]
    return {field: text[locale], f"_{field}": {"extension": translations}}


def _control(code: str) -> JSON:
    return {
        "url": ITEM_CONTROL,
        "valueCodeableConcept": {"coding": [{"system": ITEM_CONTROL_SYSTEM, "code": code}]},
    }


def _display(link_id: str, text: Text, control: str, locale: str) -> JSON:
    return {
        "linkId": link_id,
        "type": "display",
        **_text("text", text, locale),
        "extension": [_control(control)],
    }


def _section(section: Section, questionnaire: Questionnaire, locale: str) -> JSON:
    pages = [_page(page, questionnaire, locale) for page in section.pages]
    return {"linkId": section.id, "type": "group", **_text("text", section.title, locale), "item": pages}


def _page(page: Page, questionnaire: Questionnaire, locale: str) -> JSON:
    return {
        "linkId": page.id,
        "type": "group",
        **_text("text", page.title, locale),
        **_enable_when(page.condition, questionnaire),
        "item": [_question(item, questionnaire, locale) for item in page.items],
    }


def _question(item: Item, questionnaire: Questionnaire, locale: str) -> JSON:
    entry: JSON = {
        "linkId": item.id,
        "type": FHIR_TYPES[item.type],
        **_text("text", item.label, locale),
        **_enable_when(item.condition, questionnaire),
        "required": item.required,
    }
    if item.type == "multiple":
        entry["repeats"] = True
    if item.max_length is not None:
        entry["maxLength"] = item.max_length
    if item.options:
        entry["answerOption"] = [
            {
                "valueCoding": {"code": option.value, "display": option.label[locale]},
                **(
                    {"extension": [{"url": OPTION_EXCLUSIVE, "valueBoolean": True}]}
                    if option.exclusive
                    else {}
                ),
            }
            for option in item.options
        ]
    extensions = [_control(_CONTROLS[item.type])] if item.type in _CONTROLS else []
    if item.min is not None:
        extensions.append({"url": MIN_VALUE, "valueInteger": item.min})
    if item.max is not None:
        extensions.append({"url": MAX_VALUE, "valueInteger": item.max})
    if extensions:
        entry["extension"] = extensions
    # Hints and the ends of a scale are display items inside the question, as the SDC item controls expect.
    children = [_display(f"{item.id}.hint", item.hint, "help", locale)] if item.hint else []
    if item.min_label:
        children.append(_display(f"{item.id}.lower", item.min_label, "lower", locale))
    if item.max_label:
        children.append(_display(f"{item.id}.upper", item.max_label, "upper", locale))
    if children:
        entry["item"] = children
    return entry


def _enable_when(condition: Condition | None, questionnaire: Questionnaire) -> JSON:
    if condition is None:
        return {}
    behavior, leaves = _flatten(condition)
    entries = [entry for leaf in leaves for entry in _leaf_entries(leaf, questionnaire.item(leaf.item))]
    return (
        {"enableWhen": entries, "enableBehavior": behavior} if len(entries) > 1 else {"enableWhen": entries}
    )


def _flatten(condition: Condition) -> tuple[str, list[Condition]]:
    """The leaves of a condition and how FHIR's one flat enableWhen list joins them."""
    if condition.op not in ("all", "any"):
        return ("any" if condition.op == "any_of" else "all", [condition])
    parts = [_flatten(part) for part in condition.parts]
    leaves = [leaf for _, part_leaves in parts for leaf in part_leaves]
    if all(behavior == condition.op or _entry_count(found) == 1 for behavior, found in parts):
        return condition.op, leaves
    # An all inside an any (or the reverse) has no R4B enableWhen form. Enabling on any one leaf is the
    # approximation that never hides a question Polku would ask: conditions combine only with and/or, so
    # whenever the real condition holds at least one leaf does. Polku itself evaluates the exact tree.
    return "any", leaves


def _entry_count(leaves: list[Condition]) -> int:
    return sum(len(leaf.value) if isinstance(leaf.value, tuple) else 1 for leaf in leaves)


def _leaf_entries(leaf: Condition, target: Item) -> list[JSON]:
    if leaf.op == "answered":
        return [{"question": leaf.item, "operator": "exists", "answerBoolean": True}]
    values = leaf.value if isinstance(leaf.value, tuple) else (leaf.value,)
    return [
        {"question": leaf.item, "operator": _OPERATORS[leaf.op], **_value(target, value)} for value in values
    ]


def _value(item: Item, value: object) -> JSON:
    """An enableWhen answer[x] of the type the referred question answers with."""
    if item.type in ("single", "multiple"):
        return {"answerCoding": {"code": value}}
    if item.type == "yesno":
        return {"answerBoolean": value == "yes"}
    if item.type in ("integer", "scale"):
        return {"answerInteger": value}
    return {"answerDate" if item.type == "date" else "answerString": value}


def _answers(item: Item, value: object, locale: str) -> list[JSON]:
    values = list(value) if item.type == "multiple" and isinstance(value, list | tuple) else [value]
    return [_answer(item, one, locale) for one in values]


def _answer(item: Item, value: object, locale: str) -> JSON:
    """One answer value; a value the definition cannot hold is a bug upstream and is refused, not guessed."""
    if item.type in ("single", "multiple"):
        option = item.option(value)
        if option is None:
            raise ValueError(f"{item.id}: {value!r} is not an option")
        return {"valueCoding": {"code": option.value, "display": option.label[locale]}}
    if item.type == "yesno" and value in ("yes", "no"):
        return {"valueBoolean": value == "yes"}
    if item.type in ("integer", "scale") and isinstance(value, int) and not isinstance(value, bool):
        return {"valueInteger": value}
    if item.type == "date" and isinstance(value, date | str):
        return {"valueDate": date.fromisoformat(str(value)).isoformat()}
    if item.type in ("text", "textarea") and isinstance(value, str):
        return {"valueString": value}
    raise ValueError(f"{item.id}: {value!r} is not a {item.type} answer")
