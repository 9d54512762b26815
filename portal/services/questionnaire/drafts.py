"""A response's sealed content (answers, place, pages seen) and the refusals the use cases raise."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from portal import crypto
from portal.content.questionnaires import (
    Page,
    Questionnaire,
    is_answered,
    load_all,
    prune_hidden,
    visible_items,
    visible_pages,
)

PRE_INTERVIEW = "kela_pre_interview"
# The client's place when they have gone through every page and reached the summary.
CHECK_PAGE = "_check"
START = "_start"
SAVED = "_saved"


class QuestionnaireRefused(Exception):
    """The change cannot be made; `reason` says why, for the view to explain."""

    reason = "refused"


class AlreadySubmitted(QuestionnaireRefused):
    reason = "submitted"


class NotSubmitted(QuestionnaireRefused):
    reason = "not_submitted"


class DraftChanged(QuestionnaireRefused):
    """The draft was saved from another tab or device after this page was shown."""

    reason = "changed"


class PageNotShown(QuestionnaireRefused):
    reason = "hidden_page"


class Incomplete(QuestionnaireRefused):
    reason = "incomplete"

    def __init__(self, pages: list[Page]) -> None:
        super().__init__("required answers are missing")
        self.pages = pages


class ReviewChanged(QuestionnaireRefused):
    """Another professional changed the review after this page was shown."""

    reason = "review_changed"


@dataclass(frozen=True)
class Draft:
    """What is sealed in a response: the answers, where the client is, the pages they have saved."""

    answers: dict[str, Any] = field(default_factory=dict)
    page: str | None = None
    seen: tuple[str, ...] = ()


class Sealed(Protocol):
    """A response as stored, or the columns of it that a list reads (OpenResponse)."""

    @property
    def id(self) -> int: ...

    @property
    def questionnaire_key(self) -> str: ...

    @property
    def questionnaire_version(self) -> int: ...

    @property
    def content_encrypted(self) -> bytes | None: ...


def definition(response: Sealed) -> Questionnaire:
    return load_all()[(response.questionnaire_key, response.questionnaire_version)]


def _context(response_id: int) -> str:
    return f"questionnaire.response.{response_id}"


def read_draft(response: Sealed) -> Draft:
    return open_content(response.id, response.content_encrypted)


def open_content(response_id: int, sealed: bytes | None) -> Draft:
    """The draft sealed in a response's content (lists that load only some columns use this)."""
    if sealed is None:
        return Draft()
    content = json.loads(crypto.decrypt(sealed, _context(response_id)))
    return Draft(dict(content["answers"]), content.get("page"), tuple(content.get("seen", ())))


T = TypeVar("T")


class KeptBySeal(Generic[T]):
    """A figure worked out from a response's answers, kept by the response and its sealed content.

    The content is sealed again with a new nonce at every save, so the sealed bytes name exactly
    the answers the figure was worked out from: a save makes the next look-up miss, and nothing
    needs to be told. Lists show such figures (pages answered, answers needing attention) on every
    visit, where opening the answers and walking the questionnaire cost more than the rest of the
    row. Only the figures are kept, never answers.
    """

    def __init__(self, limit: int = 4096) -> None:
        self.limit = limit
        self.kept: dict[tuple[int, bytes | None], T] = {}

    def get(self, response_id: int, sealed: bytes | None, work_out: Callable[[Draft], T]) -> T:
        key = (response_id, sealed)
        found = self.kept.get(key)
        if found is None:
            found = work_out(open_content(response_id, sealed))
            if len(self.kept) >= self.limit:
                self.kept.clear()
            self.kept[key] = found
        return found


def seal_draft(response_id: int, draft: Draft) -> bytes:
    content = {"answers": draft.answers, "page": draft.page, "seen": list(draft.seen)}
    return crypto.encrypt(json.dumps(content, ensure_ascii=False, sort_keys=True), _context(response_id))


def missing_pages(questionnaire: Questionnaire, answers: Mapping[str, object]) -> list[Page]:
    """The pages shown for these answers on which a required question is unanswered."""
    effective = prune_hidden(questionnaire, answers)
    return [
        page
        for page in visible_pages(questionnaire, effective)
        if any(
            item.required and not is_answered(effective.get(item.id))
            for item in visible_items(page, effective)
        )
    ]
