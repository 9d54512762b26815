"""The objects of the current request, read without Flask's proxies, for helpers every page calls often.

`flask.g`, `request` and `current_app` stand in for the objects of the request being served. Any
attribute read through such a proxy is first looked up on the proxy itself and fails, and Python
writes out an AttributeError's message for it before the proxy passes the read on: several times the
cost of the read. Helpers that a page calls dozens of times (the signed-in person, the database
session, keys, the CSRF token) take the objects from the context once instead. Outside a request
or application they fail as the proxies do.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

from flask import Flask, Request
from flask.ctx import AppContext, RequestContext, _AppCtxGlobals
from flask.globals import _cv_app, _cv_request

T = TypeVar("T")
C = TypeVar("C", AppContext, RequestContext)


def _active(variable: ContextVar[C], outside: str) -> C:
    context = variable.get(None)
    if context is None:
        raise RuntimeError(f"Working outside of {outside} context.")
    return context


def current_application() -> Flask:
    return _active(_cv_app, "application").app


def config() -> dict[str, Any]:
    return current_application().config


def request_globals() -> _AppCtxGlobals:
    """`flask.g` itself."""
    return _active(_cv_app, "application").g


def current_request() -> Request:
    return _active(_cv_request, "request").request


def kept_for_request(name: str, make: Callable[[], T]) -> T:
    """`g.<name>`, made on first use: for values a page asks for many times."""
    kept = request_globals().__dict__
    if name not in kept:
        kept[name] = make()
    value: T = kept[name]
    return value
