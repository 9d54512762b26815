"""Pages anyone may read: the start page, the accessibility statement, privacy and contact."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from portal.content.contact import load_channels
from portal.content.pages import render_page
from portal.i18n import current_locale
from portal.identity.access import public

bp = Blueprint("pages", __name__)


@bp.get("/")
@public
def start() -> str:
    return render_template("pages/start.html", body=render_page("start", current_locale()))


@bp.get("/accessibility")
@public
def accessibility() -> str:
    return render_template("pages/accessibility.html", body=render_page("accessibility", current_locale()))


@bp.get("/privacy")
@public
def privacy() -> str:
    return render_template("pages/privacy.html", body=render_page("privacy", current_locale()))


@bp.get("/contact")
@public
def contact() -> str:
    channels = load_channels(current_app.config["CONTACT_FILE"])
    return render_template("pages/contact.html", channels=channels)
