"""What the portal reads from its addresses: row ids and page numbers it can use, and redirect
targets that can only point back into the portal."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import request, url_for
from werkzeug.routing import IntegerConverter, Map

ROW_ID_MAX = 2**31 - 1  # PostgreSQL's integer: the type of every id column
PAGE_MAX = 100_000  # far past the end of any list, and its OFFSET fits every database


class RowIdConverter(IntegerConverter):
    """`<int:…>` in a path, no larger than a row id can be.

    Werkzeug's converter takes any run of digits, and a number past the database's integer failed
    in the driver with a server error; past the bound the page is simply not found.
    """

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", ROW_ID_MAX)
        super().__init__(map, *args, **kwargs)


def page_number() -> int:
    """The page of a list asked for with ?page=: the first page for anything that is not one."""
    page = request.args.get("page", 1, type=int) or 1
    return page if 1 <= page <= PAGE_MAX else 1


def safe_next(target: str | None, default_endpoint: str = "pages.start") -> str:
    """A local path from a ?next= value, or the default page: never another site."""
    return local_path(target) or url_for(default_endpoint)


def local_path(target: str | None) -> str | None:
    """`target` (stripped) when it is a path on this site, with its query; else None."""
    if target:
        target = target.strip()
        parts = urlsplit(target)
        if (
            target.startswith("/")
            and not target.startswith(("//", "/\\"))
            and not parts.scheme
            and not parts.netloc
            and "\\" not in target
            and not any(ord(ch) < 32 for ch in target)
        ):
            return target
    return None
