"""Query and form parameters as the portal reads them: text without NUL characters.

Nobody types a NUL, but an address or a form can carry one (%00), and PostgreSQL refuses text
with one: a search or a feedback message with a NUL in it failed with a server error. Dropping it
where Werkzeug parses the values keeps every field, search and parameter of every page clean.
"""

from __future__ import annotations

from typing import Any

from flask import Request
from werkzeug.datastructures import ImmutableMultiDict


class WithoutNul(ImmutableMultiDict[str, Any]):
    def __init__(self, mapping: Any = None) -> None:
        if isinstance(mapping, list):  # the (name, value) pairs Werkzeug's parsers hand over
            mapping = [(name, _without_nul(value)) for name, value in mapping]
        super().__init__(mapping)


def _without_nul(value: Any) -> Any:
    return value.replace("\x00", "") if isinstance(value, str) else value


class PortalRequest(Request):
    parameter_storage_class = WithoutNul
