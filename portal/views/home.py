"""Where people land after signing in."""

from __future__ import annotations

from flask import Blueprint, render_template

from portal.identity.access import current_client, current_staff

bp = Blueprint("home", __name__)


@bp.get("/home")
def client_home() -> str:
    return render_template("home/client.html", client=current_client())


@bp.get("/staff")
def staff_home() -> str:
    return render_template("home/staff.html", staff=current_staff())
