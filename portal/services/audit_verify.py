"""`flask audit verify`: walking the access log to find the first changed, removed or inserted entry,
and checking the rows clients find list views by against the chain."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.i18n import HELSINKI
from portal.models.audit import AccessLogEntry, AuditChainHead, ListView
from portal.services.audit import GENESIS_MAC, HEAD_ID, ChainHead, entry_mac, listed_clients


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    reason: str | None = None


def verify_chain(db: Session, key: bytes | str, *, expected_head: ChainHead | None = None) -> VerifyResult:
    """Walk the log in order and report the first entry that was changed, removed or inserted.

    expected_head is a head kept off-site earlier: the chain must still contain it unchanged.
    """
    key = key.encode() if isinstance(key, str) else key
    recorded = db.execute(
        select(AuditChainHead.seq, AuditChainHead.mac).where(AuditChainHead.id == HEAD_ID)
    ).one_or_none()
    previous_mac, expected_seq, checked = GENESIS_MAC, 1, 0
    listed: dict[tuple[int, date, int, str], int] = {}
    ordered = select(AccessLogEntry).order_by(AccessLogEntry.seq).execution_options(yield_per=1000)
    for entry in db.scalars(ordered):
        if entry.client_ids is not None and entry.actor_id is not None:
            day = entry.at.astimezone(HELSINKI).date()
            for client_id in listed_clients(entry):
                listed.setdefault((client_id, day, entry.actor_id, entry.object_type), entry.seq)
        problem = _entry_problem(key, entry, expected_seq, previous_mac)
        if problem is None and recorded is not None and entry.seq > recorded.seq:
            problem = "the entry lies beyond the recorded head (inserted entry)"
        if problem is None and _differs_from(expected_head, entry):
            problem = "the entry differs from the head kept off-site"
        if problem is not None:
            return VerifyResult(False, checked, min(entry.seq, expected_seq), problem)
        previous_mac, expected_seq, checked = entry.mac, entry.seq + 1, checked + 1
    last_seq = expected_seq - 1
    if recorded is None:
        if checked:
            return VerifyResult(False, checked, None, "the chain head row is missing")
    elif recorded.seq > last_seq:
        return VerifyResult(False, checked, last_seq + 1, f"entries after {last_seq} were removed")
    elif not hmac.compare_digest(recorded.mac, previous_mac):
        return VerifyResult(False, checked, last_seq, "the recorded head does not match the last entry")
    if expected_head is not None and expected_head.seq > last_seq:
        return VerifyResult(False, checked, last_seq + 1, "the head kept off-site is no longer in the chain")
    return _check_list_views(db, listed, checked)


def _check_list_views(
    db: Session, listed: dict[tuple[int, date, int, str], int], checked: int
) -> VerifyResult:
    """The rows clients find list views by must be exactly the first view of each day in the chain:
    a removed row would hide a view from the client, an added one would show a view that never was."""
    rows = db.execute(
        select(ListView.client_id, ListView.day, ListView.actor_id, ListView.object_type, ListView.seq)
        .order_by(ListView.seq)
        .execution_options(yield_per=1000)
    )
    for client_id, day, actor_id, object_type, seq in rows:
        first = listed.pop((client_id, day, actor_id, object_type), None)
        if first is None:
            return VerifyResult(
                False, checked, seq, "a list view names a client or day that no entry shows (inserted row)"
            )
        if first != seq:
            return VerifyResult(
                False, checked, seq, "a list view does not point to that day's first view (changed row)"
            )
    if listed:
        missing = min(listed.values())
        return VerifyResult(
            False, checked, missing, "a client shown on a list cannot find that view (removed list view row)"
        )
    return VerifyResult(True, checked)


def _differs_from(expected_head: ChainHead | None, entry: AccessLogEntry) -> bool:
    if expected_head is None or entry.seq != expected_head.seq:
        return False
    return not hmac.compare_digest(entry.mac, expected_head.mac)


def _entry_problem(key: bytes, entry: AccessLogEntry, expected_seq: int, previous_mac: str) -> str | None:
    if entry.seq > expected_seq:
        return f"entry {expected_seq} was removed"
    if entry.seq < expected_seq:
        return "the sequence number is out of order (inserted entry)"
    if not hmac.compare_digest(entry.prev_mac, previous_mac):
        return "the entry does not link to the one before it (removed or inserted entry)"
    if not hmac.compare_digest(entry.mac, entry_mac(key, entry)):
        return "the content does not match its MAC (changed or forged entry)"
    return None
