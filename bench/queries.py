"""`queries <page>:` lines: SQL statements of one request at two data sizes (they must be equal)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event

from bench.databases import app_for, build, sqlite_url
from bench.pages import Browser, FlaskClientTransport, pages


def statements_of(app: Any, browser: Browser) -> int:
    """Statements of the second request: the first warms what is loaded once and loads a form."""
    browser.send()
    statements: list[str] = []

    def listener(*args: Any) -> None:
        statements.append(args[2])

    engine = app.extensions["polku.engine"]
    event.listen(engine, "before_cursor_execute", listener)
    try:
        browser.send()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(statements)


def query_counts(small: int, large: int, workdir: Path) -> None:
    """Clients of the adviser and the bench client's own history both grow from `small` to `large`."""
    counts: dict[str, list[int]] = {}
    for size in (small, large):
        url = sqlite_url(workdir, f"queries-{size}")
        facts = build(url, size, items=size)
        app = app_for(url)
        for page in pages(facts):
            transport = FlaskClientTransport(app.test_client(), facts[f"{page.role}_token"])
            counts.setdefault(page.label, []).append(statements_of(app, Browser(page, transport)))
        app.extensions["polku.engine"].dispose()
    for label, (at_small, at_large) in counts.items():
        print(f"queries {label}: {at_small} / {at_large}   # {small} vs {large} items", flush=True)
