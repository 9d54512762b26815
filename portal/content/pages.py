"""Long prose pages (accessibility statement, privacy notice) as Markdown, one file per language."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from markdown_it import MarkdownIt
from markupsafe import Markup

from portal.content import CONTENT_DIR, ContentError
from portal.i18n import LOCALES

PAGES_DIR = CONTENT_DIR / "pages"
PAGE_NAMES = ("start", "accessibility", "privacy")

# CommonMark with raw HTML off: the text is ours, but markup belongs in templates.
_markdown = MarkdownIt("commonmark", {"html": False, "typographer": False})


@cache
def render_page(name: str, locale: str) -> Markup:
    path = PAGES_DIR / f"{name}.{locale}.md"
    return Markup(_markdown.render(path.read_text(encoding="utf-8")))  # noqa: S704 - html is off


def check_pages(directory: Path = PAGES_DIR) -> list[str]:
    """Every page exists in every language, and nothing is left half-translated."""
    problems = []
    for name in PAGE_NAMES:
        for locale in LOCALES:
            path = directory / f"{name}.{locale}.md"
            if not path.is_file():
                problems.append(f"{path.name}: missing")
            elif not path.read_text(encoding="utf-8").strip():
                problems.append(f"{path.name}: empty")
    return problems


def validate() -> None:
    problems = check_pages()
    if problems:
        raise ContentError("; ".join(problems))
