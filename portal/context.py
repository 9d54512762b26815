"""The objects of the current request, read without Flask's proxies, for helpers every page calls often.

`flask.g`, `request` and `current_app` stand in for the objects of the request being served. Any
attribute read through such a proxy is first looked up on the proxy itself and fails, and Python
writes out an AttributeError's message for it before the proxy passes the read on: several times the
cost of the read. Helpers that a page calls dozens of times (the signed-in person, the database
session, keys, the CSRF token) take the objects from the context once instead. Outside a request
or application they fail as the proxies do.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Request
from flask.ctx import _AppCtxGlobals
from flask.globals import _cv_app, _cv_request


def current_application() -> Flask:
    context = _cv_app.get(None)
    if context is None:
        raise RuntimeError("Working outside of application context.")
    return context.app


def config() -> dict[str, Any]:
    return current_application().config


def request_globals() -> _AppCtxGlobals:
    """`flask.g` itself."""
    context = _cv_app.get(None)
    if context is None:
        raise RuntimeError("Working outside of application context.")
    return context.g


def current_request() -> Request:
    context = _cv_request.get(None)
    if context is None:
        raise RuntimeError("Working outside of request context.")
    return context.request
