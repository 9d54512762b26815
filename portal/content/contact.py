"""The network's contact channels and service hours: editable configuration in a TOML file."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from portal.content import CONTENT_DIR, ContentError
from portal.i18n import LOCALES

DEFAULT_FILE = CONTENT_DIR / "contact.toml"


@dataclass(frozen=True)
class Channel:
    key: str
    name: dict[str, str]
    description: dict[str, str]
    hours: dict[str, str]
    notice: dict[str, str]
    phone: str | None
    email: str | None


@cache
def load_channels(path: str | None = None) -> tuple[Channel, ...]:
    file = Path(path) if path else DEFAULT_FILE
    data = tomllib.loads(file.read_text(encoding="utf-8"))
    channels = []
    for entry in data.get("channel", []):
        texts = {field: entry.get(field, {}) for field in ("name", "description", "hours", "notice")}
        for field, value in texts.items():
            if value and set(value) != set(LOCALES):
                raise ContentError(f"{file.name}: channel {entry.get('key')!r} {field} needs fi and sv")
        if not texts["name"]:
            raise ContentError(f"{file.name}: channel {entry.get('key')!r} has no name")
        channels.append(
            Channel(
                key=entry["key"],
                phone=entry.get("phone"),
                email=entry.get("email"),
                **texts,
            )
        )
    return tuple(channels)
