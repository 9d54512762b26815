"""Development only: the outbox as it would be delivered, for trying the portal without a mail server."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, current_app, render_template
from sqlalchemy import select

from portal.db import get_db
from portal.identity.access import public
from portal.models import OutboxMessage
from portal.notifications.render import Renderer

bp = Blueprint("devtools", __name__, url_prefix="/dev")


def init_app(app: Flask) -> None:
    # Registered only where the development identity provider is: never in production.
    if app.config["DEV_IDP_ENABLED"] and app.config["ENV"] != "production":
        app.register_blueprint(bp)


@bp.get("/outbox")
@public
def outbox() -> str:
    renderer = Renderer(current_app.config["PUBLIC_BASE_URL"])
    messages = get_db().scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(50)).all()
    shown: list[dict[str, Any]] = []
    for message in messages:
        if message.channel == "email":
            rendered = renderer.email(message.template_key, message.locale, message.params)
            shown.append({"message": message, "subject": rendered.subject, "text": rendered.text})
        else:
            text = renderer.sms(message.template_key, message.locale, message.params)
            shown.append({"message": message, "subject": "", "text": text})
    return render_template("devtools/outbox.html", shown=shown)
