"""Where people land after signing in: one calm page with what needs the client now."""

from __future__ import annotations

from flask import Blueprint, render_template

from portal.db import get_db
from portal.identity.access import current_client, current_staff
from portal.services import feedback
from portal.views import panels

bp = Blueprint("home", __name__)


@bp.get("/home")
def client_home() -> str:
    client = current_client()
    shown = panels.render_data(panels.CLIENT_HOME, get_db(), client)
    return render_template("home/client.html", client=client, panels=shown)


@bp.get("/staff")
def staff_home() -> str:
    staff = current_staff()
    waiting = feedback.waiting_count(get_db()) if staff.has_role("admin") else None
    return render_template("home/staff.html", staff=staff, feedback_waiting=waiting)
