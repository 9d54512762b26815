"""The canonical consent text laid out for reading, on the page and in the PDF, word for word.

The page and the receipt show exactly `rendered_text()`, whose SHA-256 is the evidence: only the
layout is added (headings, list items), never a word taken away or put in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup

from portal.content.consents import _WORDS, ConsentTemplate, render_markdown, rendered_text

_LINK = re.compile(r"\[([^\]]+)\]\((https://[^)\s]+)\)")
_EMPHASIS = re.compile(r"(\*\*|\*)(?=\S)(.+?)(?<=\S)\1")


@dataclass(frozen=True)
class Block:
    # "title", "heading", "item" or "paragraph"; text keeps its inline Markdown (bold, links)
    kind: str
    text: str


def section_words(locale: str) -> set[str]:
    """The fixed headings the canonical text puts before the parties, purposes, validity..."""
    return {texts[locale] for texts in _WORDS.values()}


def blocks(template: ConsentTemplate, locale: str) -> list[Block]:
    words = section_words(locale)
    lines = rendered_text(template, locale).split("\n")
    result: list[Block] = []
    for number, line in enumerate(lines):
        if not line:
            continue
        if number == 0:
            result.append(Block("title", line))
        elif line.startswith("#"):
            result.append(Block("heading", line.lstrip("#").strip()))
        elif line in words and not lines[number - 1]:
            result.append(Block("heading", line))
        elif line.startswith("- "):
            result.append(Block("item", line[2:]))
        else:
            result.append(Block("paragraph", line))
    return result


def document_html(template: ConsentTemplate, locale: str) -> Markup:
    """The full text for the page: the title as h3 and every heading in it as h4."""
    markdown = []
    previous = ""
    for block in blocks(template, locale):
        if block.kind == "title":
            markdown.append(f"### {block.text}\n")
        elif block.kind == "heading":
            markdown.append(f"#### {block.text}\n")
        elif block.kind == "item":
            markdown.append(("" if previous == "item" else "\n") + f"- {block.text}")
        else:
            markdown.append(f"\n{block.text}\n")
        previous = block.kind
    return render_markdown("\n".join(markdown))


def plain(text: str) -> str:
    """Inline Markdown as plain text for the PDF: **bold** loses its stars, a link shows its address."""
    text = _LINK.sub(r"\1 (\2)", text)
    return _EMPHASIS.sub(r"\2", text)
