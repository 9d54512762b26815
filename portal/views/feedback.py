"""The feedback channel the accessibility statement promises, and the main users' list of it."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from portal.auditing import current_actor, log_page_view
from portal.db import get_db
from portal.extensions import limiter
from portal.forms.feedback import TOPICS, FeedbackForm
from portal.i18n import current_locale, today
from portal.identity.access import form_shown_on, public, roles_only
from portal.models import Feedback, Role
from portal.services import feedback as feedback_service
from portal.services.feedback import HANDLED_SHOWN, RECEIVED_PATH

bp = Blueprint("feedback", __name__)
roles_only(bp, Role.ADMIN)


def _feedback_limit() -> str:
    limit: str = current_app.config["RATELIMIT_FEEDBACK"]
    return limit


@bp.route("/accessibility/feedback", methods=["GET", "POST"])
@public
# Only feedback sent counts: a form refused for a missing field costs nothing and must not lock
# out someone correcting it.
@limiter.limit(_feedback_limit, methods=["POST"], deduct_when=lambda response: response.status_code == 302)
def give() -> Response | tuple[str, int] | str:
    form = FeedbackForm()
    if form.is_submitted():
        if not form.validate():
            return render_template("feedback/give.html", form=form), 422
        feedback_service.submit_feedback(
            get_db(),
            topic=form.topic.data or "other",
            message=form.message.data or "",
            page=form.page.data or "",
            reply_to=form.reply_to.data,
            locale=current_locale(),
        )
        return redirect(url_for("feedback.thanks"))
    return render_template("feedback/give.html", form=form)


@bp.get("/accessibility/feedback/thanks")
@public
def thanks() -> str:
    return render_template("feedback/thanks.html")


@bp.get(RECEIVED_PATH)
def received() -> str:
    db = get_db()
    waiting = feedback_service.received(db, handled=False)
    handled = feedback_service.received(db, handled=True)
    log_page_view(db, object_type="feedback")
    return render_template(
        "feedback/received.html",
        waiting=waiting,
        handled=handled,
        topics={choice.value: choice.label for choice in TOPICS},
        notice=request.args.get("notice"),
        today=today(),
        handled_shown=HANDLED_SHOWN,
    )


@bp.post(f"{RECEIVED_PATH}/<int:feedback_id>/handled")
@form_shown_on("feedback.received")
def mark_handled(feedback_id: int) -> Response:
    db = get_db()
    if db.get(Feedback, feedback_id) is None:
        abort(404)
    marked = feedback_service.mark_handled(db, current_actor(), feedback_id)
    notice = "handled" if marked else "handled-already"
    return redirect(url_for("feedback.received", notice=notice, _anchor="notice"), code=303)
