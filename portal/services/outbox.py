"""The outbox: queue a message with the change that causes it; a worker claims, sends and settles it.

Exactly once, and where it cannot be: a claim moves a row from pending to sending in one
conditional UPDATE, so two workers never hold the same row. The send itself (SMTP, an SMS
gateway) cannot join our transaction, so a worker that dies after the server accepted a message
but before marking it sent leaves the row in "sending". After the lease another worker takes it
and sends it again. We choose that (at least once after a crash) over losing the message (at
most once): a second "something is waiting in Polku" is harmless, a missing one is not. The
Message-ID stays the same across attempts, so mail systems can recognise the duplicate.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from portal.i18n import supported_locale
from portal.models.base import utcnow
from portal.models.identity import Client
from portal.models.outbox import CHANNELS, OutboxMessage
from portal.notifications import Delivery
from portal.notifications.email import MailServerUnavailable
from portal.notifications.render import HETU_PATTERN, TEMPLATE_PARAMS, require_templates

log = logging.getLogger("portal.outbox")

LEASE = timedelta(minutes=10)
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=6)
E164 = re.compile(r"\+[1-9]\d{6,14}")
EMAIL_ADDRESS = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass
class SendCounts:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0


def enqueue(
    db: Session,
    *,
    channel: str,
    recipient: str,
    template_key: str,
    locale: str,
    params: Mapping[str, Any],
    idempotency_key: str,
    client_id: int | None = None,
    due_at: datetime | None = None,
) -> OutboxMessage | None:
    """Queue a message in the caller's transaction; the caller commits.

    Returns None, and queues nothing, when a message with this idempotency key already exists.
    """
    _validate(channel, recipient, template_key, params)
    require_templates(channel, template_key, locale)
    insert = postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert
    # ON CONFLICT rather than check-then-insert: two replays racing each other still queue one row.
    statement = (
        insert(OutboxMessage)
        .values(
            channel=channel,
            recipient=recipient,
            template_key=template_key,
            locale=locale,
            params=dict(params),
            idempotency_key=idempotency_key,
            client_id=client_id,
            due_at=due_at or utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(OutboxMessage.id)
    )
    new_id = db.execute(statement).scalar_one_or_none()
    return None if new_id is None else db.get(OutboxMessage, new_id)


def _validate(channel: str, recipient: str, template_key: str, params: Mapping[str, Any]) -> None:
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    if template_key not in TEMPLATE_PARAMS:
        raise ValueError(f"unknown message {template_key!r}")
    missing = TEMPLATE_PARAMS[template_key] - params.keys()
    if missing:
        raise ValueError(f"message {template_key!r} needs the parameters {sorted(missing)}")
    pattern = EMAIL_ADDRESS if channel == "email" else E164
    if not pattern.fullmatch(recipient):
        raise ValueError(f"the recipient is not a valid {channel} address")
    for name, value in params.items():
        if not isinstance(value, str | int | bool):
            raise ValueError(f"message parameter {name!r} must be a string, number or boolean")
        if isinstance(value, str) and HETU_PATTERN.search(value):
            raise ValueError(f"message parameter {name!r} looks like a personal identity code")
    path = params.get("path")
    if not isinstance(path, str) or not path.startswith("/") or path.startswith("//"):
        raise ValueError("a message needs a 'path' inside the portal for its link")


def claim_due(
    db: Session, worker_id: str, limit: int, *, now: datetime | None = None, lease: timedelta = LEASE
) -> list[OutboxMessage]:
    """Take up to `limit` due messages for this worker, and commit the claim."""
    now = now or utcnow()
    claimable = or_(
        and_(OutboxMessage.status == "pending", OutboxMessage.due_at <= now),
        # A worker that died mid-batch; see the module docstring for what this costs.
        and_(OutboxMessage.status == "sending", OutboxMessage.claimed_at < now - lease),
    )
    oldest_first = (OutboxMessage.due_at, OutboxMessage.id)
    candidates = select(OutboxMessage.id).where(claimable).order_by(*oldest_first).limit(limit)
    if db.get_bind().dialect.name == "postgresql":
        # Concurrent workers pass over each other's rows instead of queueing behind them.
        candidates = candidates.with_for_update(skip_locked=True)
    token = f"{worker_id}/{secrets.token_hex(4)}"
    claimed_ids = (
        db.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(candidates.scalar_subquery()), claimable)
            .values(status="sending", claimed_by=token, claimed_at=now, attempts=OutboxMessage.attempts + 1)
            .returning(OutboxMessage.id),
            execution_options={"synchronize_session": False},
        )
        .scalars()
        .all()
    )
    db.commit()
    if not claimed_ids:
        return []
    return list(
        db.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.id.in_(claimed_ids))
            .order_by(OutboxMessage.due_at, OutboxMessage.id)
            .execution_options(populate_existing=True)
        )
    )


def send_due(
    session_factory: Callable[[], Session],
    worker_id: str,
    delivery: Delivery,
    *,
    limit: int = 50,
    now: datetime | None = None,
    lease: timedelta = LEASE,
) -> SendCounts:
    """Claim one batch, send it, and settle each message as soon as it has gone or failed."""
    counts = SendCounts()
    with session_factory() as db:
        messages = claim_due(db, worker_id, limit, now=now, lease=lease)
        counts.claimed = len(messages)
        claimed_at = time.monotonic()
        # Once the mail server is unreachable, the rest of the batch waits without a timeout each.
        mail_down: str | None = None
        try:
            for position, message in enumerate(messages):
                if time.monotonic() - claimed_at > lease.total_seconds():
                    # Our claim may already be someone else's; what is left is theirs to send.
                    log.warning("outbox batch outlived its lease; left %s messages", len(messages) - position)
                    break
                try:
                    if message.channel == "email" and mail_down:
                        raise MailServerUnavailable(mail_down)
                    _deliver(delivery, message)
                except Exception as error:  # one bad message must not hold up the rest
                    description = describe_error(error)
                    if isinstance(error, MailServerUnavailable):
                        mail_down = error.args[0] if error.args else "unreachable"
                    failed = _settle_failure(db, message, description, now, delivery.max_attempts)
                    counts.failed += failed
                    counts.retried += not failed
                else:
                    _settle_sent(db, message, now)
                    counts.sent += 1
        finally:
            delivery.email.close()
    return counts


def _deliver(delivery: Delivery, message: OutboxMessage) -> None:
    if message.channel == "sms":
        text = delivery.renderer.sms(message.template_key, message.locale, message.params)
        delivery.sms.send(message.recipient, text)
        return
    rendered = delivery.renderer.email(message.template_key, message.locale, message.params)
    # The same id on every attempt, so a duplicate after a crash is recognisable as one.
    digest = hashlib.sha256(message.idempotency_key.encode()).hexdigest()[:16]
    email = delivery.email.build(
        recipient=message.recipient,
        message=rendered,
        locale=message.locale,
        message_id=delivery.email.message_id(f"polku.{message.id}.{digest}"),
    )
    delivery.email.send(email)


def _settled(message: OutboxMessage) -> ColumnElement[bool]:
    return and_(
        OutboxMessage.id == message.id,
        OutboxMessage.status == "sending",
        OutboxMessage.claimed_by == message.claimed_by,
    )


def _settle_sent(db: Session, message: OutboxMessage, now: datetime | None) -> None:
    result = db.execute(
        update(OutboxMessage)
        .where(_settled(message))
        .values(status="sent", sent_at=now or utcnow(), last_error=None),
        execution_options={"synchronize_session": False},
    )
    db.commit()
    if result.rowcount != 1:  # type: ignore[attr-defined]
        log.warning("outbox message %s was sent after its claim lapsed", message.id)


def _settle_failure(
    db: Session, message: OutboxMessage, error: str, now: datetime | None, max_attempts: int
) -> bool:
    """Put the message back with a longer wait, or give up; True when it has failed for good."""
    give_up = message.attempts >= max_attempts
    values: dict[str, Any] = {"last_error": error[:200], "claimed_by": None, "claimed_at": None}
    if give_up:
        values["status"] = "failed"
    else:
        values["status"] = "pending"
        values["due_at"] = (now or utcnow()) + backoff(message.attempts)
    db.execute(
        update(OutboxMessage).where(_settled(message)).values(**values),
        execution_options={"synchronize_session": False},
    )
    db.commit()
    if give_up:
        log.error("outbox message %s failed after %s attempts: %s", message.id, message.attempts, error)
    return give_up


def backoff(attempts: int) -> timedelta:
    """One minute after the first failure, doubling each time, never more than the cap."""
    doublings: int = min(max(attempts - 1, 0), 20)
    return min(BACKOFF_BASE * (1 << doublings), BACKOFF_CAP)


def describe_error(error: BaseException) -> str:
    """The kind of error and the server's code, never its text, which can quote the address."""
    name = type(error).__name__
    if isinstance(error, MailServerUnavailable) and error.args:
        return f"{name}: {error.args[0]}"
    code = getattr(error, "smtp_code", None)
    recipients = getattr(error, "recipients", None)
    if code is None and isinstance(recipients, dict) and recipients:
        code = next(iter(recipients.values()))[0]
    return f"{name} {code}" if code is not None else name


def gets_messages(client: Client) -> bool:
    """Whether Polku can tell the client anything: a channel they chose, with its address. Pages say
    "we sent you a message" or "tell them yourself" by this."""
    return bool(_channels(client))


def _channels(client: Client) -> list[tuple[str, str]]:
    """Where messages to the client go: the channels they chose that have an address."""
    channels = []
    if client.notify_by in ("email", "both") and client.email:
        channels.append(("email", client.email))
    if client.notify_by in ("sms", "both") and client.phone:
        channels.append(("sms", client.phone))
    return channels


def notify_client(
    db: Session,
    client: Client,
    *,
    template_key: str,
    params: Mapping[str, Any],
    idempotency_key: str,
    due_at: datetime | None = None,
) -> list[OutboxMessage]:
    """Queue a message on each channel the client chose, in their language; the caller commits."""
    queued = []
    for channel, recipient in _channels(client):
        message = enqueue(
            db,
            channel=channel,
            recipient=recipient,
            template_key=template_key,
            locale=supported_locale(client.locale),
            params=params,
            idempotency_key=f"{idempotency_key}:{channel}",
            client_id=client.id,
            due_at=due_at,
        )
        if message is not None:
            queued.append(message)
    return queued


def cancel_pending(db: Session, idempotency_prefix: str) -> int:
    """Withdraw queued messages that must no longer go (a moved or cancelled booking's reminders).

    Only rows still waiting are removed; one a worker has claimed is already on its way. The
    caller commits, so the withdrawal stands or falls with the change that caused it.
    """
    if not idempotency_prefix or idempotency_prefix.endswith("%"):
        raise ValueError("give the literal start of the idempotency keys to withdraw")
    escaped = idempotency_prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    result = db.execute(
        delete(OutboxMessage).where(
            OutboxMessage.status == "pending",
            OutboxMessage.idempotency_key.like(f"{escaped}%", escape="\\"),
        ),
        execution_options={"synchronize_session": False},
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
