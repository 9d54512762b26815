"""The client's consents: the list, reading and signing a request, the receipt, declining, revoking."""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, session, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from portal import auditing
from portal.auditing import current_actor
from portal.content.consents import text_sha256
from portal.db import get_db
from portal.forms.consent import ReasonForm, SignForm
from portal.i18n import LOCALES, current_locale, other_locales
from portal.identity.access import current_client, keeps_typed
from portal.identity.kept_forms import form_or_kept, restored_form, restored_reason
from portal.identity.keys import portal_keys
from portal.identity.stepup import require_recent_auth
from portal.models import Client, ConsentRequest, UserSession
from portal.services import consent as consent_service
from portal.services.consent_document import document_html
from portal.services.consent_receipt import receipt_pdf
from portal.services.consent_status import (
    Shown,
    client_consents,
    shown_status,
    signature_of,
    template_of,
    today,
)
from portal.views.consent import bp

Page = str | Response | tuple[str, int]


def own_request_or_404(request_id: int) -> tuple[Client, ConsentRequest]:
    """The client's own request; another client's, like one that does not exist, is not found."""
    client = current_client()
    found = get_db().scalar(
        select(ConsentRequest).where(ConsentRequest.id == request_id, ConsentRequest.client_id == client.id)
    )
    if found is None:
        abort(404)
    return client, found


def refused(consent: ConsentRequest, status: Shown | str) -> tuple[str, int]:
    """A clear page when the request can no longer be answered; nothing has been written."""
    return render_template("consent/refused.html", consent=consent, reason=str(status)), 409


@bp.get("/consents")
def client_list() -> str:
    client = current_client()
    on = today()
    rows = client_consents(get_db(), client, on)
    return render_template(
        "consent/client_list.html",
        pending=[row for row in rows if row.status is Shown.PENDING],
        valid=[row for row in rows if row.status is Shown.SIGNED],
        past=[row for row in rows if row.status not in (Shown.PENDING, Shown.SIGNED)],
    )


def _sign_page(consent: ConsentRequest, form: SignForm, *, restored: str | None = None) -> str:
    """`restored`: why the choices shown were kept ("step_up", "timeout", "language"), if they were."""
    locale = current_locale()
    template = template_of(consent)
    # The page always carries the language and the hash of exactly the text it shows.
    form.text_locale.data = locale
    form.text_sha256.data = text_sha256(template, locale)
    return render_template(
        "consent/sign.html",
        consent=consent,
        template=template,
        locale=locale,
        other_locale=other_locales()[0],
        document=document_html(template, locale),
        message=consent_service.request_message(consent),
        form=form,
        restored=restored,
    )


@bp.route("/consents/<int:request_id>", methods=["GET", "POST"])
@keeps_typed
def request_page(request_id: int) -> Page:
    """GET: read the request (or see what became of it). POST: sign it."""
    client, consent = own_request_or_404(request_id)
    db = get_db()
    signature = signature_of(db, consent)
    status = shown_status(consent, signature, today())
    template = template_of(consent)
    if request.method == "GET":
        if status is not Shown.PENDING:
            return render_template(
                "consent/status.html", consent=consent, template=template, signature=signature, status=status
            )
        kept = restored_form()
        form = SignForm(formdata=kept, template=template, locale=current_locale())
        return _sign_page(consent, form, restored=restored_reason() if kept is not None else None)
    if status is Shown.SIGNED and signature is not None:
        return redirect(url_for("consent.signed", request_id=consent.id), code=303)
    if status is not Shown.PENDING:
        return refused(consent, status)
    shown_locale = request.form.get("text_locale", "")
    form = SignForm(template=template, locale=shown_locale if shown_locale in LOCALES else current_locale())
    if not form.validate_on_submit():
        return _sign_page(consent, form), 422
    step_up = require_recent_auth(int(current_app.config["STEP_UP_MINUTES"]))
    if step_up is not None:
        return step_up
    try:
        consent_service.sign(
            db,
            client,
            consent,
            locale=form.text_locale.data or "",
            shown_sha256=form.text_sha256.data or "",
            purposes=form.purposes.data or [],
            categories=form.categories.data or [],
            facts=signing_facts(),
            key=portal_keys().signing,
            issuer=str(current_app.config["PUBLIC_BASE_URL"]),
        )
    except consent_service.AlreadySigned:
        pass
    except consent_service.NotOpen as error:
        return refused(consent, error.status)
    except consent_service.TextChanged:
        return refused(consent, "text_changed")
    return redirect(url_for("consent.signed", request_id=consent.id), code=303)


def signing_facts() -> consent_service.SigningFacts:
    """The identification behind this session, as the provider vouched for it."""
    row = get_db().get(UserSession, getattr(session, "row_id", None) or 0)
    auth_time = getattr(session, "auth_time", None)
    if row is None or auth_time is None:
        abort(401)
    return consent_service.SigningFacts(
        provider=row.provider or "",
        acr=row.acr,
        amr=row.amr,
        auth_time=auth_time,
        idp_session=row.idp_session,
        ip=request.remote_addr,
        user_agent=request.user_agent.string or None,
        request_id=auditing.request_id(),
    )


@bp.get("/consents/<int:request_id>/signed")
def signed(request_id: int) -> str:
    _client, consent = own_request_or_404(request_id)
    signature = signature_of(get_db(), consent)
    if signature is None:
        abort(404)
    return render_template(
        "consent/signed.html", consent=consent, template=template_of(consent), signature=signature
    )


@bp.get("/consents/<int:request_id>/receipt.pdf")
def receipt(request_id: int) -> Response:
    client, consent = own_request_or_404(request_id)
    signature = signature_of(get_db(), consent)
    if signature is None:
        abort(404)
    pdf = receipt_pdf(
        signature, template_of(consent), client, base_url=str(current_app.config["PUBLIC_BASE_URL"])
    )
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="polku-consent-{signature.verification_code}.pdf"'
    )
    return response


@bp.route("/consents/<int:request_id>/decline", methods=["GET", "POST"])
@keeps_typed
def decline(request_id: int) -> Page:
    _client, consent = own_request_or_404(request_id)
    status = shown_status(consent, signature_of(get_db(), consent), today())
    if status is not Shown.PENDING:
        return refused(consent, status)
    form, kept = form_or_kept(ReasonForm)  # a reason sent after a timeout comes back
    template = template_of(consent)
    if form.is_submitted():
        if not form.validate():
            return render_template("consent/decline.html", consent=consent, template=template, form=form), 422
        try:
            consent_service.decline(get_db(), current_actor(), consent, reason=form.reason.data)
        except (consent_service.NotOpen, consent_service.AlreadySigned):
            return refused(consent, shown_status(consent, signature_of(get_db(), consent), today()))
        return redirect(url_for("consent.request_page", request_id=consent.id, declined=1), code=303)
    return render_template("consent/decline.html", consent=consent, template=template, form=form, kept=kept)


@bp.route("/consents/<int:request_id>/revoke", methods=["GET", "POST"])
@keeps_typed
def revoke(request_id: int) -> Page:
    """One action from the consent page, then this confirmation; it takes effect at once."""
    _client, consent = own_request_or_404(request_id)
    signature = signature_of(get_db(), consent)
    status = shown_status(consent, signature, today())
    if status is not Shown.SIGNED:
        return refused(consent, status)
    form, kept = form_or_kept(ReasonForm)  # a reason sent after a timeout comes back
    template = template_of(consent)
    context = {"consent": consent, "template": template, "signature": signature, "form": form}
    if form.is_submitted():
        if not form.validate():
            return render_template("consent/revoke.html", **context), 422
        try:
            consent_service.revoke(get_db(), current_actor(), consent, reason=form.reason.data)
        except consent_service.ConsentError:
            return refused(consent, shown_status(consent, signature_of(get_db(), consent), today()))
        return redirect(url_for("consent.request_page", request_id=consent.id, revoked=1), code=303)
    return render_template("consent/revoke.html", kept=kept, **context)
