"""Answers as people read them: option labels, dates and numbers in the reader's language, by section."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any, NamedTuple

from flask import url_for
from flask_babel import format_number
from flask_babel import gettext as _

from portal.content.questionnaires import (
    Item,
    Page,
    Questionnaire,
    Section,
    flagged_answers,
    is_answered,
    prune_hidden,
    visible_items,
    visible_pages,
)
from portal.i18n import local_date
from portal.services.questionnaire import CHECK_PAGE, Draft, missing_pages
from portal.services.questionnaire.drafts import KeptBySeal, Sealed


def display(item: Item, value: object, locale: str) -> str:
    if not is_answered(value):
        return str(_("Not answered"))
    if item.type in ("single", "multiple"):
        chosen = value if isinstance(value, list | tuple) else [value]
        return "\n".join(option.label[locale] for option in item.options if option.value in chosen)
    if item.type == "yesno":
        return str(_("Yes") if value == "yes" else _("No"))
    if item.type == "scale":
        shown = str(
            _("%(value)s on a scale from %(min)s to %(max)s", value=value, min=item.min, max=item.max)
        )
        # At either end, what the end means: "0" alone loses what the client chose it for.
        end = item.min_label if value == item.min else item.max_label if value == item.max else None
        return f"{shown} ({end[locale]})" if end else shown
    if item.type == "integer" and isinstance(value, int):
        return str(format_number(value))
    if item.type == "date" and isinstance(value, str):
        return local_date(date.fromisoformat(value))
    return str(value)


def sections(
    questionnaire: Questionnaire,
    answers: Mapping[str, object],
    locale: str,
    *,
    change_url: Callable[[Page], str] | None = None,
    previous: tuple[Questionnaire, Mapping[str, object]] | None = None,
) -> list[dict[str, Any]]:
    """The visible questions and their answers, section by section, as rows for the summary lists."""
    effective = prune_hidden(questionnaire, answers)
    shown = {page.id for page in visible_pages(questionnaire, effective)}
    earlier = prune_hidden(previous[0], previous[1]) if previous else None
    grouped = []
    for section in questionnaire.sections:
        rows = []
        for page in section.pages:
            if page.id not in shown:
                continue
            for item in visible_items(page, effective):
                label = item.label[locale]
                row: dict[str, Any] = {"key": label, "value": display(item, effective.get(item.id), locale)}
                if change_url is not None:
                    row["href"], row["change_label"] = change_url(page), label
                if previous is not None and earlier is not None:
                    row["previous"] = _previous(previous[0], item, earlier, locale)
                rows.append(row)
        if rows:
            grouped.append({"title": section.title[locale], "rows": rows})
    return grouped


def _previous(questionnaire: Questionnaire, item: Item, answers: Mapping[str, object], locale: str) -> str:
    """The same question's earlier answer, read with the definition it was given under."""
    try:
        earlier_item = questionnaire.item(item.id)
    except (KeyError, StopIteration):
        return str(_("Not asked"))
    return display(earlier_item, answers.get(item.id), locale)


def flagged(questionnaire: Questionnaire, answers: Mapping[str, object], locale: str) -> list[dict[str, str]]:
    """The answers marked for the adviser's attention, each question once, in questionnaire order."""
    rows, listed = [], set()
    for item, _option in flagged_answers(questionnaire, answers):
        if item.id in listed:
            continue
        listed.add(item.id)
        rows.append({"key": item.label[locale], "value": display(item, answers.get(item.id), locale)})
    return rows


def parts_shown(questionnaire: Questionnaire, shown: Iterable[Page]) -> list[Section]:
    """The parts (sections) with a page shown for the current answers, in order."""
    ids = {page.id for page in shown}
    return [section for section in questionnaire.sections if any(page.id in ids for page in section.pages)]


def progress(questionnaire: Questionnaire, draft: Draft) -> tuple[int, int, bool]:
    """Parts answered (each of their pages shown saved, nothing required left open) of the parts, and
    whether any page has been saved. Counted in parts: the pages shown grow as answers open
    follow-up questions, and a count of pages that grew as the client answered kept moving the end."""
    shown = visible_pages(questionnaire, draft.answers)
    ids = {page.id for page in shown}
    incomplete = {page.id for page in missing_pages(questionnaire, draft.answers)}

    def answered(page: Page) -> bool:
        return page.id in draft.seen and page.id not in incomplete

    parts = parts_shown(questionnaire, shown)
    done = sum(1 for part in parts if all(answered(page) for page in part.pages if page.id in ids))
    return done, len(parts), any(answered(page) for page in shown)


def resume_page(questionnaire: Questionnaire, draft: Draft) -> str | None:
    """The page the client continues on: the one they left, or the next one shown if that page is
    gone; None for the check page."""
    if draft.page == CHECK_PAGE:
        return None
    shown = visible_pages(questionnaire, draft.answers)
    if not shown:
        return None
    index = {page.id: position for position, page in enumerate(questionnaire.pages)}
    target: Page | None = shown[0]
    if draft.page in index:
        target = next((page for page in shown if index[page.id] >= index[draft.page]), None)
    return None if target is None else target.id


def page_url(response_id: int, page_id: str | None) -> str:
    if page_id is None:
        return url_for("questionnaire.check", response_id=response_id)
    return url_for("questionnaire.page", response_id=response_id, page_id=page_id)


def resume_url(response_id: int, questionnaire: Questionnaire, draft: Draft) -> str:
    """Where the client continues (see resume_page)."""
    return page_url(response_id, resume_page(questionnaire, draft))


class Standing(NamedTuple):
    """How far the client has come in a draft (in parts), and the page they continue on (None: the
    check page)."""

    done: int
    total: int
    started: bool
    resume_page: str | None

    def resume_url(self, response_id: int) -> str:
        return page_url(response_id, self.resume_page)


_standings: KeptBySeal[Standing] = KeptBySeal()


def standing(response: Sealed, questionnaire: Questionnaire) -> Standing:
    """progress() and resume_page() of the response's sealed draft, kept until the draft is saved again:
    the client's front page and list show them on every visit."""

    def work_out(draft: Draft) -> Standing:
        return Standing(*progress(questionnaire, draft), resume_page(questionnaire, draft))

    return _standings.get(response.id, response.content_encrypted, work_out)
