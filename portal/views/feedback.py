"""The feedback channel the accessibility statement promises."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, url_for
from werkzeug.wrappers import Response

from portal.db import get_db
from portal.extensions import limiter
from portal.forms.feedback import FeedbackForm
from portal.i18n import current_locale
from portal.identity.access import public
from portal.services.feedback import submit_feedback

bp = Blueprint("feedback", __name__, url_prefix="/accessibility/feedback")


def _feedback_limit() -> str:
    limit: str = current_app.config["RATELIMIT_FEEDBACK"]
    return limit


@bp.route("", methods=["GET", "POST"])
@public
@limiter.limit(_feedback_limit, methods=["POST"])
def give() -> Response | tuple[str, int] | str:
    form = FeedbackForm()
    if form.is_submitted():
        if not form.validate():
            return render_template("feedback/give.html", form=form), 422
        submit_feedback(
            get_db(),
            topic=form.topic.data or "other",
            message=form.message.data or "",
            page=form.page.data or "",
            reply_to=form.reply_to.data,
            locale=current_locale(),
        )
        return redirect(url_for("feedback.thanks"))
    return render_template("feedback/give.html", form=form)


@bp.get("/thanks")
@public
def thanks() -> str:
    return render_template("feedback/thanks.html")
