"""Checking a receipt: a public page (valid or not, and the dates), a staff page, and a command."""

from __future__ import annotations

import sys

import click
from flask import current_app, render_template
from werkzeug.wrappers import Response

from portal.auditing import log_view
from portal.db import get_db
from portal.extensions import limiter
from portal.forms.consent import VerifyForm
from portal.identity.access import current_staff, public
from portal.identity.keys import portal_keys
from portal.services import clients as client_service
from portal.services.consent_seal import (
    InvalidSeal,
    Verification,
    format_code,
    normalise_code,
    open_seal,
    verify_code,
)
from portal.services.consent_status import template_of
from portal.views.consent import bp

Page = str | Response | tuple[str, int]


def _verify_limit() -> str:
    limit: str = current_app.config["RATELIMIT_CONSENT_VERIFY"]
    return limit


def _check(form: VerifyForm) -> Verification:
    return verify_code(get_db(), form.code.data or "", portal_keys().public_jwks())


@bp.route("/verify", methods=["GET", "POST"])
@public
@limiter.limit(_verify_limit, methods=["POST"])
def verify_public() -> Page:
    """Anyone holding a receipt: only valid or invalid, and the dates. Never a name or a code."""
    form = VerifyForm()
    if not form.is_submitted():
        return render_template("consent/verify.html", form=form, result=None)
    if not form.validate():
        return render_template("consent/verify.html", form=form, result=None), 422
    return render_template("consent/verify.html", form=form, result=_check(form))


@bp.route("/staff/consents/verify", methods=["GET", "POST"])
def staff_verify() -> Page:
    """Professionals and admins: the evidence behind a code; the client only if they work with them."""
    staff = current_staff()
    form = VerifyForm()
    if not form.is_submitted():
        return render_template("consent/staff_verify.html", form=form, result=None)
    if not form.validate():
        return render_template("consent/staff_verify.html", form=form, result=None), 422
    result = _check(form)
    signature = result.signature
    client = None
    if signature is not None:
        db = get_db()
        if client_service.can_see_client(db, staff, signature.client_id):
            client = signature.client_id
        log_view(db, client_id=signature.client_id, object_type="consent_signature", object_id=signature.id)
    return render_template(
        "consent/staff_verify.html",
        form=form,
        result=result,
        template=template_of(signature) if signature else None,
        client_id=client,
    )


@bp.cli.command(
    "verify", help="Check a consent receipt by its verification code (or a seal); exit 1 if invalid."
)
@click.argument("code")
def verify_command(code: str) -> None:
    db = get_db()
    jwks = portal_keys().public_jwks()
    if code.count(".") == 2:
        try:
            code = str(open_seal(code, jwks).get("jti", ""))
        except InvalidSeal as error:
            click.echo(f"invalid: the seal does not verify with the portal's keys ({error})")
            sys.exit(1)
    result = verify_code(db, code, jwks)
    click.echo(
        ("valid" if result.valid else f"invalid: {result.reason}") + f" ({format_code(normalise_code(code))})"
    )
    for label, day in (
        ("signed on", result.signed_on),
        ("valid until", result.valid_until),
        ("revoked on", result.revoked_on),
    ):
        if day is not None:
            click.echo(f"{label}: {day.isoformat()}")
    if not result.valid:
        sys.exit(1)
