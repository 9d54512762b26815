"""The professional's side: issuing requests, following them by status, remind, cancel, re-issue."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from portal.auditing import current_actor, log_view, log_views
from portal.content.consents import ConsentTemplate, latest, load_all
from portal.db import get_db
from portal.forms.consent import IssueByHetuForm, IssueForm
from portal.i18n import current_locale
from portal.identity.access import current_staff, form_shown_on, keeps_typed
from portal.identity.kept_forms import form_or_kept
from portal.identity.keys import portal_keys
from portal.models import Client, ConsentRequest
from portal.models.base import utcnow
from portal.services import clients as client_service
from portal.services import consent as consent_service
from portal.services.consent_seal import verify_signature
from portal.services.consent_status import (
    SHOWN_ORDER,
    Shown,
    can_be_reissued,
    events_of,
    expiring_soon,
    shown_status,
    signature_of,
    staff_requests,
    status_counts,
    template_of,
    today,
)
from portal.services.outbox import gets_messages
from portal.views.clients import client_for_staff_or_404
from portal.views.consent import bp, professionals_only

Page = str | Response | tuple[str, int]


def request_for_staff_or_404(request_id: int) -> ConsentRequest:
    """A request to one of this professional's clients; any other is simply not found."""
    db = get_db()
    found = db.get(ConsentRequest, request_id)
    if found is None or not client_service.can_see_client(db, current_staff(), found.client_id):
        abort(404)
    return found


@bp.get("/staff/consents", endpoint="staff_requests")
@professionals_only
def staff_requests_page() -> str:
    """The requests I issued, by status; and the consents of my clients that end within 30 days."""
    db = get_db()
    staff = current_staff()
    on = today()
    try:
        status = Shown(request.args.get("status", Shown.PENDING.value))
    except ValueError:
        status = Shown.PENDING
    rows = staff_requests(db, staff, status, on)
    expiring = expiring_soon(db, staff, on)
    shown_clients = sorted({row.request.client_id for row in rows + expiring})
    log_views(db, client_ids=shown_clients, object_type="consent_requests")
    return render_template(
        "consent/staff_requests.html",
        rows=rows,
        status=status,
        statuses=SHOWN_ORDER,
        counts=status_counts(db, staff, on),
        expiring=expiring,
    )


def _templates() -> list[ConsentTemplate]:
    return [latest(key) for key in sorted({key for key, _version in load_all()})]


def _issue_form(form_class: type[IssueForm], **kwargs: object) -> tuple[IssueForm, bool]:
    """The form, and whether it is one sent after a timeout and brought back (form_or_kept)."""
    due = today() + timedelta(days=int(current_app.config["CONSENT_DUE_DAYS"]))
    return form_or_kept(
        form_class,
        data={"due_on": due},
        templates=_templates(),
        locale=current_locale(),
        today=today(),
        **kwargs,
    )


def _issued(consent: ConsentRequest, notice: str = "issued") -> Response:
    return redirect(url_for("consent.staff_request", request_id=consent.id, notice=notice), code=303)


@bp.route("/staff/consents/new", methods=["GET", "POST"])
@keeps_typed
@professionals_only
def new_request() -> Page:
    """Issue to anyone by personal identity code (validated and logged); they join my clients.

    A code typed by hand can be someone else's valid code, so the request goes out only from a
    second page that shows whom it goes to; "change" takes the professional back to the form.
    """
    form, kept = _issue_form(IssueByHetuForm, allow_test_codes=current_app.config["ENV"] != "production")
    if not form.is_submitted() or "change" in request.form:
        return render_template("consent/new_request.html", form=form, client=None, kept=kept)
    if not form.validate():
        return render_template("consent/new_request.html", form=form, client=None), 422
    assert isinstance(form, IssueByHetuForm)  # noqa: S101 - narrowing for the type checker
    db, staff, actor = get_db(), current_staff(), current_actor()
    if request.form.get("step") != "confirm":
        return _confirm_recipient(form)
    client = client_service.find_or_create_by_hetu(
        db,
        actor,
        form.hetu.data or "",
        allow_test_codes=form.allow_test_codes,
        purpose="issue a consent request",
    )
    client_service.assign(db, actor, client, staff, responsibility=staff.role)
    return _issue(client, form)


def _confirm_recipient(form: IssueByHetuForm) -> str:
    db = get_db()
    client = client_service.look_up_by_hetu(
        db,
        current_actor(),
        form.hetu.data or "",
        allow_test_codes=form.allow_test_codes,
        purpose="check whom a consent request goes to",
    )
    mine = client is not None and client_service.can_see_client(db, current_staff(), client.id)
    key = form.template.data or ""
    waiting = consent_service.open_request_for(db, client, key) if client is not None else None
    return render_template(
        "consent/confirm_request.html",
        form=form,
        client=client,
        mine=mine,
        waiting=waiting,
        can_notify=client is not None and gets_messages(client),
        template=latest(key),
    )


@bp.route("/staff/clients/<int:client_id>/consents/new", methods=["GET", "POST"])
@keeps_typed
@professionals_only
def new_request_for_client(client_id: int) -> Page:
    client = client_for_staff_or_404(client_id)
    form, kept = _issue_form(IssueForm)
    page = {"form": form, "client": client, "can_notify": gets_messages(client)}
    if not form.is_submitted():
        return render_template("consent/new_request.html", kept=kept, **page)
    if not form.validate():
        return render_template("consent/new_request.html", **page), 422
    return _issue(client, form)


def _issue(client: Client, form: IssueForm) -> Response:
    try:
        consent = consent_service.issue(
            get_db(),
            current_actor(),
            current_staff(),
            client,
            template_key=form.template.data or "",
            message=form.message.data,
            due_on=form.due_on.data or today(),
        )
    except consent_service.AlreadyPending as error:
        return _issued(error.request, "already-pending")
    return _issued(consent)


@bp.get("/staff/consents/requests/<int:request_id>")
@professionals_only
def staff_request(request_id: int) -> str:
    consent = request_for_staff_or_404(request_id)
    db = get_db()
    signature = signature_of(db, consent)
    verification = verify_signature(db, signature, portal_keys().public_jwks()) if signature else None
    events = events_of(db, consent)
    reissuable = can_be_reissued(consent, signature, today())
    log_view(db, client_id=consent.client_id, object_type="consent_request", object_id=consent.id)
    return render_template(
        "consent/staff_request.html",
        consent=consent,
        client=consent.client,
        template=template_of(consent),
        signature=signature,
        verification=verification,
        status=shown_status(consent, signature, today()),
        reissuable=reissuable,
        newer=consent_service.open_request_for(db, consent.client, consent.template_key)
        if reissuable
        else None,
        message=consent_service.request_message(consent),
        events=[(event, consent_service.event_reason(event)) for event in events],
        notice=request.args.get("notice"),
        can_notify=gets_messages(consent.client),
        reminder_from=consent_service.reminder_from(consent),
        now=utcnow(),
    )


@bp.post("/staff/consents/requests/<int:request_id>/remind")
@form_shown_on("consent.staff_request")
@professionals_only
def remind(request_id: int) -> Page:
    consent = request_for_staff_or_404(request_id)
    try:
        sent = consent_service.remind(get_db(), current_actor(), consent)
    except consent_service.NotOpen as error:
        return _not_open(consent, error.status)
    except consent_service.Unreachable:
        return _issued(consent, "unreachable")
    return _issued(consent, "reminded" if sent else "reminded-already")


@bp.post("/staff/consents/requests/<int:request_id>/cancel")
@form_shown_on("consent.staff_request")
@professionals_only
def cancel(request_id: int) -> Page:
    consent = request_for_staff_or_404(request_id)
    try:
        consent_service.cancel(get_db(), current_actor(), consent)
    except consent_service.ConsentError:
        return _not_open(consent, shown_status(consent, signature_of(get_db(), consent), today()))
    return _issued(consent, "cancelled")


@bp.post("/staff/consents/requests/<int:request_id>/reissue")
@form_shown_on("consent.staff_request")
@professionals_only
def reissue(request_id: int) -> Page:
    consent = request_for_staff_or_404(request_id)
    due = today() + timedelta(days=int(current_app.config["CONSENT_DUE_DAYS"]))
    try:
        new = consent_service.reissue(get_db(), current_actor(), current_staff(), consent, due_on=due)
    except consent_service.AlreadyPending as error:
        return _issued(error.request, "already-pending")
    except consent_service.NotOpen as error:
        return _not_open(consent, error.status)
    return _issued(new, "reissued")


def _not_open(consent: ConsentRequest, status: Shown) -> tuple[str, int]:
    return render_template("consent/staff_refused.html", consent=consent, status=status), 409
