"""Reading consents: the status people see (expired follows from the dates), coverage, and lists.

Every function here runs a constant number of queries, whatever the number of rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import (
    BindParameter,
    CompoundSelect,
    Date,
    Select,
    and_,
    bindparam,
    case,
    func,
    literal,
    null,
    or_,
    select,
)
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.sql.elements import ColumnElement

from portal.content.consents import ConsentTemplate, Party, Purpose, load_all
from portal.i18n import HELSINKI
from portal.models import Client, ConsentEvent, ConsentRequest, ConsentSignature, ConsentStatus, StaffUser
from portal.models.base import utcnow
from portal.services.clients import open_assignments
from portal.services.reads import prepared, read_values

EXPIRING_SOON_DAYS = 30


class Shown(StrEnum):
    """The status as people see it: the stored one, except that dates turn some into "expired"."""

    PENDING = "pending"
    SIGNED = "signed"
    DECLINED = "declined"
    REVOKED = "revoked"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


SHOWN_ORDER = tuple(Shown)


def today(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(HELSINKI).date()


def shown_status(request: ConsentRequest, signature: ConsentSignature | None, on: date) -> Shown:
    if request.status == ConsentStatus.PENDING and request.due_on < on:
        return Shown.EXPIRED
    signed = request.status == ConsentStatus.SIGNED and signature is not None
    if signed and signature.valid_until is not None and signature.valid_until < on:  # type: ignore[union-attr]
        return Shown.EXPIRED
    return Shown(request.status)


def can_be_reissued(request: ConsentRequest, signature: ConsentSignature | None, on: date) -> bool:
    """Expired, cancelled (perhaps by a slip), or valid but ending within EXPIRING_SOON_DAYS: time
    to ask again."""
    status = shown_status(request, signature, on)
    if status in (Shown.EXPIRED, Shown.CANCELLED):
        return True
    until = signature.valid_until if signature is not None else None
    return status is Shown.SIGNED and until is not None and until <= on + timedelta(days=EXPIRING_SOON_DAYS)


def shown_status_sql(on: date | BindParameter[date]) -> ColumnElement[str]:
    """The same rule as shown_status(), for filtering and counting in the database."""
    return case(
        (
            and_(ConsentRequest.status == ConsentStatus.PENDING, ConsentRequest.due_on < on),
            Shown.EXPIRED.value,
        ),
        (
            and_(ConsentRequest.status == ConsentStatus.SIGNED, ConsentSignature.valid_until < on),
            Shown.EXPIRED.value,
        ),
        else_=ConsentRequest.status,
    )


def with_signature() -> Select[tuple[ConsentRequest, ConsentSignature]]:
    """Each request with its signature, or None in its place when there is none (outer join)."""
    return select(ConsentRequest, ConsentSignature).outerjoin(
        ConsentSignature, ConsentSignature.request_id == ConsentRequest.id
    )


def template_of(request: ConsentRequest | ConsentSignature) -> ConsentTemplate:
    return load_all()[(request.template_key, request.template_version)]


@dataclass(frozen=True)
class Row:
    """One request as a list shows it."""

    request: ConsentRequest
    signature: ConsentSignature | None
    status: Shown

    @property
    def template(self) -> ConsentTemplate:
        return template_of(self.request)


def rows(results: Iterable[Any], on: date) -> list[Row]:
    return [Row(request, signature, shown_status(request, signature, on)) for request, signature in results]


# --- The client's own consents -----------------------------------------------------------------------

CLIENT_ORDER = {Shown.PENDING: 0, Shown.SIGNED: 1}


def client_consents(db: Session, client: Client, on: date) -> list[Row]:
    """Pending first (soonest due first), then valid, then everything past, newest first."""
    found = rows(
        db.execute(
            with_signature()
            .where(ConsentRequest.client_id == client.id, ConsentRequest.status != ConsentStatus.CANCELLED)
            .order_by(ConsentRequest.created_at.desc(), ConsentRequest.id.desc())
        ),
        on,
    )

    def key(row: Row) -> tuple[int, int]:
        group = CLIENT_ORDER.get(row.status, 2)
        return group, row.request.due_on.toordinal() if group == 0 else 0

    return sorted(found, key=key)


class PendingRequest(NamedTuple):
    """A request waiting for the client's answer, as the front page links to it: plain values
    (a request still pending has no signature, and one past its due date is no longer pending)."""

    id: int
    template_key: str
    template_version: int
    due_on: date

    @property
    def template(self) -> ConsentTemplate:
        return load_all()[(self.template_key, self.template_version)]


def pending_for_client(db: Session, client: Client, on: date) -> list[PendingRequest]:
    found = read_values(db, _pending_for_client(), {"client_id": client.id, "on": on})
    return [PendingRequest(*row) for row in found]


@prepared
def _pending_for_client() -> Select[tuple[int, str, int, date]]:
    # Built once: the client's front page asks on every visit. Columns, not objects: loading the
    # requests as objects cost more than the rest of the panel.
    return (
        select(
            ConsentRequest.id,
            ConsentRequest.template_key,
            ConsentRequest.template_version,
            ConsentRequest.due_on,
        )
        .where(
            ConsentRequest.client_id == bindparam("client_id"),
            ConsentRequest.status == ConsentStatus.PENDING,
            ConsentRequest.due_on >= bindparam("on"),
        )
        .order_by(ConsentRequest.due_on, ConsentRequest.id)
    )


# --- Coverage: which party and purpose a valid consent covers now ---------------------------------------


@dataclass(frozen=True)
class Cover:
    since: datetime
    until: date | None


@dataclass
class Coverage:
    """One template: its parties and purposes, and for each purpose the valid consent covering it."""

    template: ConsentTemplate
    parties: tuple[Party, ...]
    purposes: list[tuple[Purpose, Cover | None]] = field(default_factory=list)

    @property
    def covered(self) -> bool:
        return any(cover for _purpose, cover in self.purposes)


def valid_signatures(db: Session, client_id: int, on: date) -> list[Any]:
    """The client's signatures valid on the day, oldest first, as plain rows: template_key,
    choices, signed_at, valid_until."""
    return list(read_values(db, _valid_signatures(), {"client_id": client_id, "on": on}).all())


@prepared
def _valid_signatures() -> Select[tuple[str, dict[str, Any], datetime, date | None]]:
    # Built once: the client overview asks on every visit; the client and the day are parameters.
    return (
        select(
            ConsentSignature.template_key,
            ConsentSignature.choices,
            ConsentSignature.signed_at,
            ConsentSignature.valid_until,
        )
        .join(ConsentRequest, ConsentRequest.id == ConsentSignature.request_id)
        .where(
            ConsentSignature.client_id == bindparam("client_id"),
            ConsentRequest.status == ConsentStatus.SIGNED,
            or_(ConsentSignature.valid_until.is_(None), ConsentSignature.valid_until >= bindparam("on")),
        )
        .order_by(ConsentSignature.signed_at)
    )


def coverage(db: Session, client: Client, on: date) -> list[Coverage]:
    """Per template (newest version's wording), each purpose with the consent that covers it now."""
    signatures = valid_signatures(db, client.id, on)
    newest: dict[str, ConsentTemplate] = {}
    for (key, version), template in sorted(load_all().items()):
        if key not in newest or version > newest[key].version:
            newest[key] = template
    result = []
    for key, template in sorted(newest.items()):
        item = Coverage(template, template.parties)
        for purpose in template.purposes:
            covers = [
                Cover(signature.signed_at, signature.valid_until)
                for signature in signatures
                if signature.template_key == key and purpose.key in signature.choices.get("purposes", [])
            ]
            # The one that lasts longest; a consent without an end date outlasts them all.
            best = max(covers, key=lambda c: c.until or date.max, default=None)
            item.purposes.append((purpose, best))
        result.append(item)
    return result


# --- The professional's lists ---------------------------------------------------------------------------


def issued_by(staff: StaffUser) -> ColumnElement[bool]:
    """Requests this professional issued, to clients they still work with."""
    return and_(
        ConsentRequest.issued_by_id == staff.id, ConsentRequest.client_id.in_(open_assignments(staff))
    )


def status_counts(db: Session, staff: StaffUser, on: date) -> Counter[str]:
    shown = shown_status_sql(on)
    counted = db.execute(
        select(shown, func.count())
        .select_from(ConsentRequest)
        .outerjoin(ConsentSignature, ConsentSignature.request_id == ConsentRequest.id)
        .where(issued_by(staff))
        .group_by(shown)
    ).all()
    return Counter({str(status): int(count) for status, count in counted})


def staff_requests(db: Session, staff: StaffUser, status: Shown, on: date, limit: int = 200) -> list[Row]:
    query = (
        with_signature()
        .where(issued_by(staff), shown_status_sql(on) == status.value)
        .options(joinedload(ConsentRequest.client))
        .order_by(ConsentRequest.updated_at.desc(), ConsentRequest.id.desc())
        .limit(limit)
    )
    return rows(db.execute(query), on)


def expiring_soon(db: Session, staff: StaffUser, on: date, days: int = EXPIRING_SOON_DAYS) -> list[Row]:
    """Valid consents of this professional's clients that end within `days` days, soonest first."""
    query = (
        with_signature()
        .where(
            ConsentRequest.client_id.in_(open_assignments(staff)),
            ConsentRequest.status == ConsentStatus.SIGNED,
            ConsentSignature.valid_until >= on,
            ConsentSignature.valid_until <= on + timedelta(days=days),
        )
        .options(joinedload(ConsentRequest.client))
        .order_by(ConsentSignature.valid_until, ConsentRequest.id)
    )
    return rows(db.execute(query), on)


def client_requests(db: Session, client_id: int, on: date) -> list[Row]:
    """The client's consent requests, newest first."""
    return rows(db.execute(_client_requests(), {"client_id": client_id}), on)


@cache
def _client_requests() -> Select[tuple[ConsentRequest, ConsentSignature]]:
    return (
        with_signature()
        .where(ConsentRequest.client_id == bindparam("client_id"))
        .order_by(ConsentRequest.created_at.desc(), ConsentRequest.id.desc())
    )


def request_lines(db: Session, client_id: int, on: date, *, limit: int) -> list[Any]:
    """The client's newest consent requests as plain rows for a list, newest first: id,
    template_key, template_version, status (as shown on the day) and created_at."""
    return list(read_values(db, _request_lines(), {"client_id": client_id, "on": on, "limit": limit}).all())


@prepared
def _request_lines() -> Select[tuple[int, str, int, str, datetime]]:
    # Built once: the client overview asks on every visit; the client and the day are parameters.
    return (
        select(
            ConsentRequest.id,
            ConsentRequest.template_key,
            ConsentRequest.template_version,
            shown_status_sql(bindparam("on")).label("status"),
            ConsentRequest.created_at,
        )
        .outerjoin(ConsentSignature, ConsentSignature.request_id == ConsentRequest.id)
        .where(ConsentRequest.client_id == bindparam("client_id"))
        .order_by(ConsentRequest.created_at.desc(), ConsentRequest.id.desc())
        .limit(bindparam("limit"))
    )


def events_of(db: Session, request: ConsentRequest) -> list[ConsentEvent]:
    return list(
        db.scalars(
            select(ConsentEvent)
            .where(ConsentEvent.request_id == request.id)
            .order_by(ConsentEvent.at, ConsentEvent.id)
        )
    )


def signature_of(db: Session, request: ConsentRequest) -> ConsentSignature | None:
    return db.scalar(select(ConsentSignature).where(ConsentSignature.request_id == request.id))


# --- The client list column -----------------------------------------------------------------------------


@cache
def _column_rows() -> CompoundSelect[tuple[int, bool, date | None, int, int]]:
    """Built once (the client list runs it for every page): valid signatures, then waiting requests."""
    client_ids: BindParameter[list[int]] = bindparam("client_ids", expanding=True)
    on: BindParameter[date] = bindparam("on")
    valid = (
        select(
            ConsentSignature.client_id,
            literal(True).label("signed"),
            func.max(ConsentSignature.valid_until).label("until"),
            (func.count(ConsentSignature.id) - func.count(ConsentSignature.valid_until)).label("number"),
            func.count(ConsentSignature.id).label("valid"),
        )
        .join(ConsentRequest, ConsentRequest.id == ConsentSignature.request_id)
        .where(
            ConsentSignature.client_id.in_(client_ids),
            ConsentRequest.status == ConsentStatus.SIGNED,
            or_(ConsentSignature.valid_until.is_(None), ConsentSignature.valid_until >= on),
        )
        .group_by(ConsentSignature.client_id)
    )
    waiting = (
        select(ConsentRequest.client_id, literal(False), null().cast(Date), func.count(), literal(0))
        .where(
            ConsentRequest.client_id.in_(client_ids),
            ConsentRequest.status == ConsentStatus.PENDING,
            ConsentRequest.due_on >= on,
        )
        .group_by(ConsentRequest.client_id)
    )
    return valid.union_all(waiting)


@dataclass(frozen=True)
class ColumnValue:
    valid_until: date | None
    open_ended: bool
    pending: int
    valid: int = 0  # how many consents are valid: one of two kinds is not "covered"


def column_values(db: Session, client_ids: list[int], on: date) -> dict[int, ColumnValue]:
    """Per client: the latest end of a valid consent, and how many requests wait. One query."""
    if not client_ids:
        return {}
    rows = read_values(db, _column_rows(), {"client_ids": client_ids, "on": on}).all()
    pending = {client_id: int(number) for client_id, signed, _until, number, _valid in rows if not signed}
    values: dict[int, ColumnValue] = {}
    for client_id, signed, until, open_ended, valid in rows:
        if signed:
            values[client_id] = ColumnValue(until, bool(open_ended), pending.get(client_id, 0), int(valid))
    for client_id, count in pending.items():
        values.setdefault(client_id, ColumnValue(None, False, count))
    return values
