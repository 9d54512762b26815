"""Questionnaires: the client answers page by page (runner), professionals review (review)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, request

from portal.identity.access import current_user, is_public_endpoint
from portal.models import Client, Role, StaffUser

bp = Blueprint("questionnaire", __name__)

# The answers themselves (health, work ability) are for the advisers who review them before the
# interview; staff open a questionnaire for a client and follow whether it was sent, not its content.
ANSWER_ENDPOINTS = frozenset(
    f"questionnaire.{name}"
    for name in (
        "review_queue",
        "search_queue",
        "review",
        "add_note",
        "mark_reviewed",
        "print_view",
        "fhir_download",
    )
)


def reads_answers(user: StaffUser) -> bool:
    return user.has_role(Role.ADVISER)


@bp.before_request
def _audience() -> None:
    """Routes under /staff are for advisers and staff, the answers for advisers only; all others
    for the client whose answers they are."""
    if is_public_endpoint(current_app, request.endpoint):
        return
    user = current_user()
    if request.url_rule is not None and request.url_rule.rule.startswith("/staff/"):
        if not isinstance(user, StaffUser) or not user.has_role(Role.ADVISER, Role.STAFF):
            abort(403)
        if request.endpoint in ANSWER_ENDPOINTS and not reads_answers(user):
            abort(403)
    elif not isinstance(user, Client):
        abort(403)


# The routes and panels register themselves on import.
from portal.views.questionnaire import panels, review, runner  # noqa: E402

__all__ = ["bp", "panels", "review", "runner"]
