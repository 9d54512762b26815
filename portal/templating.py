"""What every template may use: locale helpers, formatting filters, the language switch."""

from __future__ import annotations

from typing import Any

from flask import Flask, request, session

from portal import i18n
from portal.identity.access import current_user
from portal.identity.sessions import ServerSession, idle_deadline
from portal.models.base import utcnow


def init_app(app: Flask) -> None:
    app.jinja_env.filters["local_date"] = i18n.local_date
    app.jinja_env.filters["local_datetime"] = i18n.local_datetime
    app.jinja_env.filters["local_time"] = i18n.local_time
    app.jinja_env.globals["LANGUAGE_NAMES"] = i18n.LANGUAGE_NAMES

    @app.context_processor
    def layout_context() -> dict[str, Any]:
        user = current_user()
        deadline = 0
        if user is not None and isinstance(session, ServerSession):
            deadline = max(0, int((idle_deadline(session) - utcnow()).total_seconds()))
        return {
            "current_locale": i18n.current_locale(),
            "other_locales": i18n.other_locales(),
            "current_user": user,
            "session_deadline": deadline,
            "here": request.full_path.rstrip("?") if request else "/",
        }
