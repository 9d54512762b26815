"""The load balancer's question: is this instance able to serve, is the database reachable?"""

from __future__ import annotations

from flask import Blueprint
from sqlalchemy import text

from portal.db import get_db
from portal.identity.access import public

bp = Blueprint("health", __name__)


@bp.get("/health")
@public
def health() -> tuple[dict[str, str], int]:
    try:
        get_db().execute(text("SELECT 1"))
    except Exception:  # any failure means "not ready", never an error page
        return {"status": "unavailable", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}, 200
