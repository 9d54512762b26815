"""The stylesheet and the script are asked for by the version of their content (?v=), and a browser
keeps them for a year: a new version is a new address.

Served with no-cache, they were asked for again on every page, and the stylesheet blocks drawing:
about 430 ms of a page's first paint on a slow phone connection. The versions are read when the
app starts; a changed file takes a restart, as a deployment does.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from flask import Flask

VERSIONED = ("polku.css", "polku.js")
KEPT_FOR = 365 * 24 * 3600  # seconds


def versions(static_folder: str) -> dict[str, str]:
    return {
        name: hashlib.sha256((Path(static_folder) / name).read_bytes()).hexdigest()[:12] for name in VERSIONED
    }


def init_app(app: Flask) -> None:
    found = versions(str(app.static_folder))
    app.extensions["polku.static_versions"] = found

    @app.url_defaults
    def add_version(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and values.get("filename") in found:
            values.setdefault("v", found[values["filename"]])


def max_age(app: Flask, filename: str | None, asked_version: str | None) -> int | None:
    """A year for the current version of a versioned file; None (no-cache: asked again) otherwise,
    so an old address never keeps the new content."""
    current = app.extensions.get("polku.static_versions", {})
    if filename is not None and asked_version is not None and current.get(filename) == asked_version:
        return KEPT_FOR
    return None
