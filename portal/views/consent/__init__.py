"""Digital consent: the client's consents and signing, the professional's requests, verification.

One blueprint ("consent") in a few modules: client.py, staff.py, verify.py, and parts.py for the
panels and the client-list column that other pages gather.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, abort
from markupsafe import Markup

from portal.content.consents import ConsentTemplate, render_markdown
from portal.i18n import lazy_gettext as _l
from portal.identity.access import current_staff
from portal.models import ConsentEventKind, ConsentSignature, Role
from portal.services.consent_receipt import assurance
from portal.services.consent_seal import format_code, normalise_code
from portal.services.consent_status import Shown

bp = Blueprint("consent", __name__)
F = TypeVar("F", bound=Callable[..., Any])

STATUS_LABELS = {
    Shown.PENDING: _l("Waiting for an answer"),
    Shown.SIGNED: _l("Signed and valid"),
    Shown.DECLINED: _l("Declined"),
    Shown.REVOKED: _l("Revoked"),
    Shown.EXPIRED: _l("Expired"),
    Shown.CANCELLED: _l("Request cancelled"),
}
EVENT_LABELS = {
    ConsentEventKind.ISSUED: _l("Request sent"),
    ConsentEventKind.REMINDED: _l("Reminder sent"),
    ConsentEventKind.CANCELLED: _l("Request cancelled"),
    ConsentEventKind.REISSUED: _l("Sent again as a new request"),
    ConsentEventKind.SIGNED: _l("Signed"),
    ConsentEventKind.DECLINED: _l("Declined"),
    ConsentEventKind.REVOKED: _l("Revoked"),
}


@bp.app_template_filter("consent_status")
def consent_status(status: str) -> Any:
    return STATUS_LABELS[Shown(status)]


@bp.app_template_filter("consent_event")
def consent_event(kind: str) -> Any:
    return EVENT_LABELS[ConsentEventKind(kind)]


@bp.app_template_filter("consent_markdown")
def consent_markdown(text: str) -> Markup:
    return render_markdown(text)


@bp.app_template_filter("consent_code")
def consent_code(code: str) -> str:
    return format_code(normalise_code(code))  # as stored, or as someone typed it


@bp.app_template_filter("assurance")
def assurance_words(acr: str | None) -> str:
    return assurance(acr)


@bp.app_template_global("consent_choice_rows")
def consent_choice_rows(
    template: ConsentTemplate, signature: ConsentSignature, locale: str, for_staff: bool = False
) -> list[dict[str, Any]]:
    """Each purpose, and each optional kind of information, with whether the signature covers it;
    `for_staff`: in the words said of the client."""
    rows = []
    optional = [c for c in template.categories if c.optional]
    chosen_purposes, chosen_categories = (
        signature.choices.get("purposes", []),
        signature.choices.get("categories", []),
    )
    for key, label, chosen in [
        *[
            (p.key, (p.label_for_staff if for_staff else p.label)[locale], chosen_purposes)
            for p in template.purposes
        ],
        *[
            (c.key, (c.label_for_staff if for_staff else c.label)[locale], chosen_categories)
            for c in optional
        ],
    ]:
        rows.append({"key": label, "value": _l("Included") if key in chosen else _l("Not included")})
    return rows


def professionals_only(view: F) -> F:
    """Advisers and staff: the people who issue requests and follow their clients' consents."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if not current_staff().has_role(Role.ADVISER, Role.STAFF):
            abort(403)
        return view(*args, **kwargs)

    return guarded  # type: ignore[return-value]


from portal.views.consent import client, parts, staff, verify  # noqa: E402  (the routes)

__all__ = ["bp", "client", "parts", "staff", "verify"]
