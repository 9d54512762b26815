"""The rehabilitation pathway: the client's timeline and the professional's controls.

One blueprint ("pathway") in a few modules: steps.py for what both sides show of the steps,
client.py and staff.py for their pages, and parts.py for the panels and the client-list column
that other pages gather.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("pathway", __name__)

from portal.views.pathway import client, parts, staff  # noqa: E402  (the routes and the panels)

__all__ = ["bp", "client", "parts", "staff"]
