"""Consent use cases: issue, remind, cancel and re-issue a request; sign, decline and revoke it.

Each function is one transaction. A change of status is one conditional UPDATE that names the
status it expects, so of two racing requests (a double click, a replayed POST, two tabs) exactly
one wins; the unique request id on the signature is the last line of defence.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from joserfc.jwk import RSAKey
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from portal import crypto
from portal.content.consents import ConsentTemplate, expires_on, latest, text_sha256
from portal.i18n import LOCALES, supported_locale
from portal.models import (
    Client,
    ConsentEvent,
    ConsentEventKind,
    ConsentRequest,
    ConsentSignature,
    ConsentStatus,
    StaffUser,
)
from portal.models.base import utcnow
from portal.services import consent_seal
from portal.services.audit import Actor, record_access
from portal.services.consent_status import (
    Shown,
    can_be_reissued,
    shown_status,
    signature_of,
    template_of,
    today,
)
from portal.services.outbox import enqueue, gets_messages, notify_client

REMINDER_INTERVAL = timedelta(days=1)
# Encryption contexts of the free text a consent request carries.
MESSAGE_CONTEXT = "consent_request.message"
REASON_CONTEXT = "consent_event.reason"


class ConsentError(Exception):
    """A consent action that cannot be done in the request's present state."""


class NotOpen(ConsentError):
    """The request is not in a state that allows this (cancelled, expired, already answered...)."""

    def __init__(self, status: Shown) -> None:
        super().__init__(status.value)
        self.status = status


class AlreadySigned(ConsentError):
    """The request was signed already, by this very client: a double click or a replayed POST."""

    def __init__(self, signature: ConsentSignature) -> None:
        super().__init__("already signed")
        self.signature = signature


class AlreadyPending(ConsentError):
    """The client already has an open request for the same template."""

    def __init__(self, request: ConsentRequest) -> None:
        super().__init__("already pending")
        self.request = request


class TextChanged(ConsentError):
    """What the client was shown is not the text of this request's template version and language."""


@dataclass(frozen=True)
class SigningFacts:
    """How and when the client proved who they are, and where the signing came from."""

    provider: str
    acr: str | None
    amr: str | None
    auth_time: datetime
    idp_session: str | None
    ip: str | None
    user_agent: str | None
    request_id: str | None = None  # the proxy's, for the access log only


def client_path(request: ConsentRequest) -> str:
    return f"/consents/{request.id}"


def staff_path(request: ConsentRequest) -> str:
    return f"/staff/consents/requests/{request.id}"


def _event(
    db: Session, request: ConsentRequest, kind: ConsentEventKind, actor: Actor, **fields: Any
) -> ConsentEvent:
    event = ConsentEvent(
        request_id=request.id, kind=kind.value, actor_role=actor.role, actor_id=actor.id, **fields
    )
    db.add(event)
    return event


def _transition(
    db: Session,
    request: ConsentRequest,
    expected: ConsentStatus,
    new: ConsentStatus,
    *conditions: ColumnElement[bool],
    **values: Any,
) -> bool:
    """Move the request from `expected` to `new`; False when someone else moved it first."""
    result = db.execute(
        update(ConsentRequest)
        .where(ConsentRequest.id == request.id, ConsentRequest.status == expected, *conditions)
        .values(status=new.value, version=ConsentRequest.version + 1, updated_at=utcnow(), **values),
        execution_options={"synchronize_session": False},
    )
    moved: bool = result.rowcount == 1  # type: ignore[attr-defined]
    if moved:
        db.refresh(request)
    return moved


def _refused(db: Session, request: ConsentRequest) -> NotOpen | AlreadySigned:
    """Why a transition found the request in another state: reread it after our rollback."""
    db.rollback()
    db.refresh(request)
    signature = signature_of(db, request)
    if request.status == ConsentStatus.SIGNED and signature is not None:
        return AlreadySigned(signature)
    return NotOpen(shown_status(request, signature, today()))


def _notify_client(db: Session, client: Client, request: ConsentRequest, key: str) -> bool:
    """A "something waits for you" message on the channels the client chose."""
    queued = notify_client(
        db,
        client,
        template_key="consent_requested",
        params={"path": client_path(request)},
        idempotency_key=key,
    )
    return bool(queued)


# --- Staff ---------------------------------------------------------------------------------------------


def open_request_for(db: Session, client: Client, template_key: str) -> ConsentRequest | None:
    return db.scalar(
        select(ConsentRequest).where(
            ConsentRequest.client_id == client.id,
            ConsentRequest.template_key == template_key,
            ConsentRequest.status == ConsentStatus.PENDING,
            ConsentRequest.due_on >= today(),
        )
    )


def _new_request(
    db: Session,
    actor: Actor,
    staff: StaffUser,
    client: Client,
    template: ConsentTemplate,
    *,
    message: str | None,
    due_on: date,
    reissued_from: ConsentRequest | None = None,
) -> ConsentRequest:
    existing = open_request_for(db, client, template.key)
    if existing is not None:
        raise AlreadyPending(existing)
    request = ConsentRequest(
        client_id=client.id,
        template_key=template.key,
        template_version=template.version,
        issued_by_id=staff.id,
        message_encrypted=_sealed(message, MESSAGE_CONTEXT),
        due_on=due_on,
        status=ConsentStatus.PENDING.value,
        reissued_from_id=reissued_from.id if reissued_from else None,
    )
    db.add(request)
    db.flush()
    _event(db, request, ConsentEventKind.ISSUED, actor, channel="assisted")
    _notify_client(db, client, request, f"consent-requested:{request.id}")
    return request


def issue(
    db: Session,
    actor: Actor,
    staff: StaffUser,
    client: Client,
    *,
    template_key: str,
    message: str | None,
    due_on: date,
) -> ConsentRequest:
    """Ask a client to sign the newest version of a template; the client is notified."""
    request = _new_request(db, actor, staff, client, latest(template_key), message=message, due_on=due_on)
    record_access(
        db,
        actor=actor,
        action="create",
        object_type="consent_request",
        object_id=request.id,
        client_id=client.id,
    )
    db.commit()
    return request


def reminder_from(request: ConsentRequest) -> datetime:
    """The moment a reminder may go: a day after the request, or after the last reminder."""
    return max(request.created_at, request.reminded_at or request.created_at) + REMINDER_INTERVAL


class Unreachable(ConsentError):
    """The client has no e-mail address or phone number that Polku may use: nothing can be sent."""


def remind(db: Session, actor: Actor, request: ConsentRequest) -> bool:
    """Send the client the request again: a day after it was sent at the earliest, and at most
    once a day. False when it was too soon; Unreachable when there is nowhere to send it (then
    no reminder is recorded as sent)."""
    if shown_status(request, None, today()) is not Shown.PENDING:
        raise NotOpen(shown_status(request, None, today()))
    if not gets_messages(request.client):
        raise Unreachable()
    now = utcnow()
    if reminder_from(request) > now:
        return False
    # The rule was checked on the request as read; the update goes through only if it was not
    # changed since (two staff members pressing at once send one reminder).
    moved = _transition(
        db,
        request,
        ConsentStatus.PENDING,
        ConsentStatus.PENDING,
        ConsentRequest.due_on >= today(now),
        ConsentRequest.version == request.version,
        reminded_at=now,
    )
    if not moved:
        db.rollback()
        return False
    _event(db, request, ConsentEventKind.REMINDED, actor, channel="assisted")
    _notify_client(db, request.client, request, f"consent-reminder:{request.id}:{today(now).isoformat()}")
    record_access(
        db,
        actor=actor,
        action="change",
        object_type="consent_request",
        object_id=request.id,
        client_id=request.client_id,
        purpose="reminded",
    )
    db.commit()
    return True


def cancel(db: Session, actor: Actor, request: ConsentRequest) -> None:
    """Withdraw a request the client has not answered."""
    if not _transition(db, request, ConsentStatus.PENDING, ConsentStatus.CANCELLED):
        raise _refused(db, request)
    _event(db, request, ConsentEventKind.CANCELLED, actor, channel="assisted")
    record_access(
        db,
        actor=actor,
        action="change",
        object_type="consent_request",
        object_id=request.id,
        client_id=request.client_id,
        purpose="cancelled",
    )
    db.commit()


def reissue(
    db: Session, actor: Actor, staff: StaffUser, request: ConsentRequest, *, due_on: date
) -> ConsentRequest:
    """A new request for an expired consent or one about to end, with the template's newest version."""
    signature = signature_of(db, request)
    if not can_be_reissued(request, signature, today()):
        raise NotOpen(shown_status(request, signature, today()))
    new = _new_request(
        db,
        actor,
        staff,
        request.client,
        latest(request.template_key),
        message=request_message(request),
        due_on=due_on,
        reissued_from=request,
    )
    _event(db, request, ConsentEventKind.REISSUED, actor, channel="assisted", reason=f"#{new.id}")
    record_access(
        db,
        actor=actor,
        action="create",
        object_type="consent_request",
        object_id=new.id,
        client_id=request.client_id,
        purpose=f"re-issue of {request.id}",
    )
    db.commit()
    return new


# --- The client ----------------------------------------------------------------------------------------


def choices_for(
    template: ConsentTemplate, purposes: Collection[str], categories: Collection[str]
) -> dict[str, list[str]]:
    """Everything that is not optional, and the optional parts the client ticked, in template order."""
    optional_purposes = {p.key for p in template.purposes if p.optional}
    optional_categories = {c.key for c in template.categories if c.optional}
    if set(purposes) - optional_purposes or set(categories) - optional_categories:
        raise ValueError("a choice that the template does not offer")
    return {
        "purposes": [p.key for p in template.purposes if not p.optional or p.key in purposes],
        "categories": [c.key for c in template.categories if not c.optional or c.key in categories],
    }


def sign(
    db: Session,
    client: Client,
    request: ConsentRequest,
    *,
    locale: str,
    shown_sha256: str,
    purposes: Collection[str],
    categories: Collection[str],
    facts: SigningFacts,
    key: RSAKey,
    issuer: str,
) -> ConsentSignature:
    """Write the sealed evidence record; once per request, whatever arrives twice."""
    template = template_of(request)
    if locale not in LOCALES or text_sha256(template, locale) != shown_sha256:
        raise TextChanged(locale)
    choices = choices_for(template, purposes, categories)
    now = utcnow()
    signed_on = today(now)
    owned = ConsentRequest.client_id == client.id
    if not _transition(
        db, request, ConsentStatus.PENDING, ConsentStatus.SIGNED, owned, ConsentRequest.due_on >= signed_on
    ):
        raise _refused(db, request)
    signature = ConsentSignature(
        request_id=request.id,
        client_id=client.id,
        template_key=template.key,
        template_version=template.version,
        locale=locale,
        text_sha256=shown_sha256,
        choices=choices,
        signer_hetu_hmac=client.hetu_hash,
        provider=facts.provider,
        acr=facts.acr,
        amr=facts.amr,
        auth_time=facts.auth_time,
        idp_session=facts.idp_session,
        signed_at=now,
        ip=facts.ip,
        user_agent=(facts.user_agent or "")[:300] or None,
        valid_until=expires_on(template, signed_on),
        verification_code=consent_seal.new_verification_code(),
        seal_kid=str(key.kid),
    )
    signature.seal = consent_seal.seal(consent_seal.evidence_claims(signature), key, issuer)
    db.add(signature)
    _event(db, request, ConsentEventKind.SIGNED, Actor(id=client.id, role="client"))
    record_access(
        db,
        actor=Actor(id=client.id, role="client"),
        action="sign",
        object_type="consent_request",
        object_id=request.id,
        client_id=client.id,
        ip=facts.ip,
        request_id=facts.request_id,
    )
    try:
        db.commit()
    except IntegrityError:
        # Only the unique request id can fail here: someone else's identical signature won.
        raise _refused(db, request) from None
    return signature


def decline(db: Session, client_actor: Actor, request: ConsentRequest, *, reason: str | None) -> None:
    """The client's own answer: `client_actor` is the client, whose request it must be."""
    owned = ConsentRequest.client_id == client_actor.id
    if not _transition(
        db, request, ConsentStatus.PENDING, ConsentStatus.DECLINED, owned, ConsentRequest.due_on >= today()
    ):
        raise _refused(db, request)
    _event(
        db, request, ConsentEventKind.DECLINED, client_actor, reason_encrypted=_sealed(reason, REASON_CONTEXT)
    )
    record_access(
        db,
        actor=client_actor,
        action="change",
        object_type="consent_request",
        object_id=request.id,
        client_id=request.client_id,
        purpose="declined",
    )
    db.commit()


def revoke(db: Session, actor: Actor, request: ConsentRequest, *, reason: str | None) -> None:
    """Effective at once: the coverage and every list read the new status from now on."""
    signature = signature_of(db, request)
    status = shown_status(request, signature, today())
    if status is not Shown.SIGNED:
        raise NotOpen(status)
    if not _transition(db, request, ConsentStatus.SIGNED, ConsentStatus.REVOKED):
        raise _refused(db, request)
    channel = "self-service" if actor.role == "client" else "assisted"
    _event(
        db,
        request,
        ConsentEventKind.REVOKED,
        actor,
        channel=channel,
        reason_encrypted=_sealed(reason, REASON_CONTEXT),
    )
    issuer = request.issued_by
    if issuer is not None and issuer.active and issuer.email:
        enqueue(
            db,
            channel="email",
            recipient=issuer.email,
            template_key="consent_revoked",
            locale=supported_locale(issuer.locale),
            params={"path": staff_path(request)},
            idempotency_key=f"consent-revoked:{request.id}",
            client_id=request.client_id,
        )
    record_access(
        db,
        actor=actor,
        action="revoke",
        object_type="consent_request",
        object_id=request.id,
        client_id=request.client_id,
    )
    db.commit()


def _sealed(value: str | None, context: str) -> bytes | None:
    """Free text as stored: trimmed, at most 1,000 characters, without NUL (no page shows one), sealed;
    None when nothing was written."""
    return crypto.seal_text((value or "").replace("\x00", "").strip()[:1000], context)


def request_message(request: ConsentRequest) -> str:
    """The professional's message to the client ("" when none)."""
    return crypto.open_text(request.message_encrypted, MESSAGE_CONTEXT)


def event_reason(event: ConsentEvent) -> str:
    """The reason given for declining or revoking ("" when none)."""
    return crypto.open_text(event.reason_encrypted, REASON_CONTEXT)


# --- Demo ----------------------------------------------------------------------------------------------


def demo_consents(db: Session) -> str:
    """Demo: the demo staff member and adviser work with the demo clients; Veeti has a request waiting.

    Safe to run again. Call it after the demo people exist (portal.demo.load_demo).
    """
    from portal.demo import demo_person
    from portal.identity import hetu
    from portal.services.clients import assign

    def person(key: str) -> Any:
        data = demo_person(key)
        if "hetu" in data:
            return db.scalar(select(Client).where(Client.hetu_hash == hetu.lookup(data["hetu"])))
        return db.scalar(select(StaffUser).where(StaffUser.email == data["email"]))

    staff, adviser = person("staff"), person("adviser")
    clients = [person(key) for key in ("client_fi", "client_sv", "client_young", "client_new_sign")]
    if staff is None or adviser is None or None in clients:
        raise LookupError("load the demo people first")
    for professional in (staff, adviser):
        actor = Actor(id=professional.id, role=professional.role, org=professional.organisation)
        for client in clients:
            assign(db, actor, client, professional, responsibility=professional.role)
    young = clients[2]
    issued = 0
    if db.scalar(select(ConsentRequest.id).where(ConsentRequest.client_id == young.id)) is None:
        actor = Actor(id=staff.id, role=staff.role, org=staff.organisation)
        issue(
            db,
            actor,
            staff,
            young,
            template_key="tym_data_exchange",
            message=None,
            due_on=today() + timedelta(days=14),
        )
        issued = 1
    return f"{len(clients)} clients assigned to the demo professionals, {issued} consent request issued"
