"""The pages the benchmarks measure: what to request, as whom."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Page:
    name: str
    url: str
    role: str  # "client" or "adviser": whose session cookie is sent
    method: str = "GET"
    form: dict[str, str] = field(default_factory=dict)
    client_page: bool = True  # weighed against the 50 KB budget of client pages


def pages(facts: dict[str, Any]) -> list[Page]:
    found = [
        Page("client home", "/home", "client"),
        Page("pathway", "/pathway", "client"),
        Page("adviser my clients", "/staff/clients", "adviser", client_page=False),
        Page(
            "client overview", f"/staff/clients/{facts['overview_client_id']}", "adviser", client_page=False
        ),
    ]
    found += facts.get("extra_pages", [])
    return found
