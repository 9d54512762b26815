"""The client's own data: contact preferences, who has used the data, and the full download."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from portal.i18n import HELSINKI
from portal.models import AccessLogEntry, Client, ListView, StaffUser
from portal.models.base import utcnow
from portal.services.audit import Actor, record_access

LOG_WINDOW = timedelta(days=2 * 365)
# The client's own actions are theirs to know already; the page shows what others did.
OTHERS = AccessLogEntry.actor_role.not_in(("client", "anonymous"))


def update_contact(
    db: Session,
    actor: Actor,
    client: Client,
    *,
    email: str | None,
    phone: str | None,
    notify_by: str,
    locale: str,
) -> None:
    client.email, client.phone, client.notify_by, client.locale = email, phone, notify_by, locale
    record_access(
        db,
        actor=actor,
        action="change",
        object_type="contact_details",
        client_id=client.id,
    )
    db.commit()


@dataclass(frozen=True)
class LogRow:
    at: datetime
    action: str
    object_type: str
    actor_role: str
    actor_org: str
    in_list: bool  # seen on a list page: shown once a day, at the day's first view
    name: str | None


def _about(client: Client) -> ColumnElement[bool]:
    """Entries about the client: their own, and the first view of a day of each list they were on."""
    first_list_views = select(ListView.seq).where(ListView.client_id == client.id)
    return or_(AccessLogEntry.client_id == client.id, AccessLogEntry.seq.in_(first_list_views))


def access_log_page(
    db: Session, client: Client, page: int, per_page: int, *, with_names: bool
) -> tuple[list[LogRow], int]:
    """Who used this client's data in the last two years, newest first; names when the rules allow."""
    since = utcnow() - LOG_WINDOW
    where = (_about(client), AccessLogEntry.at >= since, OTHERS)
    total = db.scalar(select(func.count()).select_from(AccessLogEntry).where(*where)) or 0
    # Never the list's other clients (client_ids): only whether the entry was a list's.
    rows = db.execute(
        select(
            AccessLogEntry.at,
            AccessLogEntry.action,
            AccessLogEntry.object_type,
            AccessLogEntry.actor_role,
            AccessLogEntry.actor_org,
            AccessLogEntry.client_ids.is_not(None),
            StaffUser.name,
        )
        .outerjoin(StaffUser, StaffUser.id == AccessLogEntry.actor_id)
        .where(*where)
        .order_by(AccessLogEntry.seq.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return [
        LogRow(at, action, object_type, role, org, bool(in_list), name if with_names else None)
        for at, action, object_type, role, org, in_list, name in rows
    ], total


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


# The files in the download are named in the client's language ("your information").
ARCHIVE_FILE_STEMS = {"fi": "polku-tiedot", "sv": "polku-uppgifter"}


def archive_file_stem(locale: str) -> str:
    return ARCHIVE_FILE_STEMS.get(locale, ARCHIVE_FILE_STEMS["fi"])


def build_archive(sections: dict[str, Any], summary_html: str, locale: str) -> bytes:
    """A ZIP with everything as JSON and a readable summary in the client's language."""
    stem = archive_file_stem(locale)
    buffer = io.BytesIO()
    # A ZIP's file times have no time zone: the client's file manager shows them as Finnish time.
    made = datetime.now(HELSINKI).timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in (
            (f"{stem}.json", json.dumps(_plain(sections), ensure_ascii=False, indent=2)),
            (f"{stem}.html", summary_html),
        ):
            archive.writestr(zipfile.ZipInfo(name, date_time=made), text, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def record_export(db: Session, actor: Actor, client: Client) -> None:
    record_access(
        db,
        actor=actor,
        action="export",
        object_type="data_export",
        client_id=client.id,
    )
    db.commit()


def access_log_export(db: Session, client: Client, *, with_names: bool) -> list[dict[str, Any]]:
    """Every entry about the client, oldest first; the professional's name where the page shows it."""
    rows = db.execute(
        select(
            AccessLogEntry.at,
            AccessLogEntry.actor_role,
            StaffUser.name,
            AccessLogEntry.actor_org,
            AccessLogEntry.action,
            AccessLogEntry.object_type,
            AccessLogEntry.object_id,
            AccessLogEntry.purpose,
            AccessLogEntry.client_ids.is_not(None),
        )
        .outerjoin(StaffUser, and_(StaffUser.id == AccessLogEntry.actor_id, OTHERS))
        .where(_about(client))
        .order_by(AccessLogEntry.seq)
    )
    return [
        {
            "at": at,
            "actor_role": role,
            "name": name if with_names else None,
            "organisation": org,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "purpose": purpose,
            "on_a_list": bool(in_list),
        }
        for at, role, name, org, action, object_type, object_id, purpose, in_list in rows
    ]
