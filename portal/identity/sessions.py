"""Server-side sessions: the cookie carries a random id, the database holds the rest."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from flask import Flask, Request, Response
from flask.sessions import SessionInterface, SessionMixin
from sqlalchemy import Row, Select, bindparam, delete, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from werkzeug.datastructures import CallbackDict

from portal.context import config
from portal.db import close_db, get_db
from portal.models import Client, StaffRole, StaffUser, UserSession
from portal.models.base import utcnow
from portal.security import CSRF_FIELD
from portal.services.reads import as_loaded, prepared, read_values

# Writing last_seen_at on every request would turn every page view into a write.
TOUCH_INTERVAL = timedelta(seconds=60)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ServerSession(CallbackDict[str, Any], SessionMixin):
    """Session data plus who is signed in; changes are saved at the end of the request."""

    def __init__(self, initial: dict[str, Any] | None = None, row: SessionRow | None = None) -> None:
        def on_update(_: Any) -> None:
            self.modified = True

        super().__init__(initial or {}, on_update)
        self.modified = False
        self.token: str | None = None
        self.row_id = row.id if row else None
        self.client_id = row.client_id if row else None
        self.staff_user_id = row.staff_user_id if row else None
        self.provider = row.provider if row else None
        self.acr = row.acr if row else None
        self.auth_time = row.auth_time if row else None
        self.last_seen_at = row.last_seen_at if row else None
        self.expires_at = row.expires_at if row else None
        self.expired = False  # an earlier session ended by a timeout: the page may say so
        self.expired_owner: tuple[int | None, int | None] = (None, None)  # whose it was
        self.expired_csrf: str | None = None
        self.ended = False
        self.sign_in: dict[str, Any] | None = None  # set by sign_in(): rotate and bind a user
        self.person: Any = None  # the Client or StaffUser loaded with the row (see open_session)

    @property
    def signed_in(self) -> bool:
        return self.client_id is not None or self.staff_user_id is not None


# In a session begun at another's timeout: whose that was and its CSRF secret, for a few minutes.
TIMED_OUT = "timed_out"
TIMED_OUT_KEPT = timedelta(minutes=5)


def _mark_timed_out(session: ServerSession, ended: dict[str, Any]) -> None:
    session.expired = True
    owner = ended.get("owner") or [None, None]
    session.expired_owner = (owner[0], owner[1])
    session.expired_csrf = ended.get("csrf")
    session.modified = False  # kept only if the request stores something of its own


def _lately(at: Any, now: datetime) -> bool:
    try:
        return now - datetime.fromisoformat(str(at)) < TIMED_OUT_KEPT
    except ValueError:
        return False


def idle_limit() -> timedelta:
    return timedelta(minutes=int(config()["SESSION_IDLE_MINUTES"]))


def absolute_limit() -> timedelta:
    return timedelta(hours=int(config()["SESSION_MAX_HOURS"]))


def idle_deadline(session: ServerSession) -> datetime:
    """When the session ends if nothing more happens (for the timeout warning)."""
    now = utcnow()
    seen = session.last_seen_at
    # This request counts as activity when save_session touches the row (at most once a minute).
    if seen is None or now - seen >= TOUCH_INTERVAL:
        seen = now
    deadline = seen + idle_limit()
    return min(deadline, session.expires_at) if session.expires_at else deadline


def new_session_row(db: Session, data: dict[str, Any], **fields: Any) -> tuple[str, UserSession]:
    """A fresh random id and its row; the raw id exists only in the cookie."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    row = UserSession(
        token_hash=hash_token(token),
        created_at=now,
        last_seen_at=now,
        expires_at=now + absolute_limit(),
        data=data,
        **fields,
    )
    db.add(row)
    return token, row


# The session row's columns that ServerSession keeps, then the person's: read as plain values.
SESSION_COLUMNS = (
    "id",
    "data",
    "client_id",
    "staff_user_id",
    "provider",
    "acr",
    "auth_time",
    "last_seen_at",
    "expires_at",
)
_SESSIONS, _CLIENTS = UserSession.__table__.c, Client.__table__.c
_STAFF, _ROLES = StaffUser.__table__.c, StaffRole.__table__.c


class SessionRow(NamedTuple):
    """What ServerSession needs of a user_session row."""

    id: int
    data: dict[str, Any] | None
    client_id: int | None
    staff_user_id: int | None
    provider: str | None
    acr: str | None
    auth_time: datetime | None
    last_seen_at: datetime
    expires_at: datetime


@prepared
def _session_and_person() -> Select[Any]:
    """Built once: every request with a cookie runs it, and building it costs more than running it.

    Columns, not objects: the ORM's loading of three entities and a joined collection cost about
    70 µs of CPU more than reading the same columns, on every signed-in page. A professional's
    roles come in the same statement (a row per role), as every page checks them.
    """
    sessions, clients, staff = UserSession.__table__, Client.__table__, StaffUser.__table__
    joined = (
        sessions.outerjoin(clients, _CLIENTS.id == _SESSIONS.client_id)
        .outerjoin(staff, _STAFF.id == _SESSIONS.staff_user_id)
        .outerjoin(StaffRole.__table__, _ROLES.staff_user_id == _STAFF.id)
    )
    return (
        select(
            *(_SESSIONS[name] for name in SESSION_COLUMNS),
            *_CLIENTS,
            *_STAFF,
            *_ROLES,
        )
        .select_from(joined)
        .where(_SESSIONS.token_hash == bindparam("token_hash"))
    )


def _person(db: Session, rows: Sequence[Row[Any]]) -> Client | StaffUser | None:
    first = rows[0]
    at = len(SESSION_COLUMNS)
    client_end = at + len(_CLIENTS)
    staff_end = client_end + len(_STAFF)
    if first[at] is not None:
        return as_loaded(db, Client, _CLIENTS, first[at:client_end])
    if first[client_end] is None:
        return None
    staff = as_loaded(db, StaffUser, _STAFF, first[client_end:staff_end])
    roles = [as_loaded(db, StaffRole, _ROLES, row[staff_end:]) for row in rows if row[staff_end] is not None]
    set_committed_value(staff, "roles", roles)
    return staff


class ServerSessionInterface(SessionInterface):
    def _db(self, app: Flask) -> Session:
        session: Session = app.extensions["polku.sessionmaker"]()
        return session

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        token = request.cookies.get(self.get_cookie_name(app))
        if not token or len(token) > 100:
            return ServerSession()
        # The request's own database session, and the signed-in person in the same statement:
        # current_user() then finds them without asking the database again.
        db = get_db()
        rows = read_values(db, _session_and_person(), {"token_hash": hash_token(token)}).all()
        if not rows:
            return ServerSession()
        row = SessionRow(*rows[0][: len(SESSION_COLUMNS)])
        now = utcnow()
        if now >= row.expires_at or now - row.last_seen_at >= idle_limit():
            db.execute(delete(UserSession).where(UserSession.id == row.id))
            db.commit()
            # Who it was, and the session's CSRF token: a form sent from a page left open may be
            # kept for that person (access.keep_typed_over_timeout). Also in the session this
            # request begins, if it begins one (the sign-in page does): the browser's other tabs
            # send that session's cookie from then on, and a form typed in one of them must
            # still be kept.
            ended = {"owner": [row.client_id, row.staff_user_id], "csrf": (row.data or {}).get(CSRF_FIELD)}
            expired = ServerSession({TIMED_OUT: {**ended, "at": now.isoformat()}})
            _mark_timed_out(expired, ended)
            return expired
        session = ServerSession(dict(row.data or {}), row)
        session.token = token
        timed_out = session.get(TIMED_OUT)
        if not session.signed_in and isinstance(timed_out, dict) and _lately(timed_out.get("at"), now):
            _mark_timed_out(session, timed_out)
        # Held for the request: the database session's identity map keeps only weak references.
        session.person = _person(db, rows)
        return session

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if not isinstance(session, ServerSession):
            raise TypeError("the server session interface saves only its own sessions")
        # The page's work is done: its connection goes back to the pool before the session row takes
        # one. Holding both, enough requests at once would each wait for a second connection that
        # none gives back (seen with a hundred bookings at once on a refused time).
        close_db()
        name, domain, path = self.get_cookie_name(app), self.get_cookie_domain(app), self.get_cookie_path(app)
        if session.ended:
            self._delete_row(app, session.row_id)
            response.delete_cookie(name, domain=domain, path=path)
            return
        if session.sign_in is not None:
            self._rotate(app, session, response)
            return
        if session.row_id is None:
            if not session.modified or not dict(session):
                return
            with self._db(app) as db:
                token, _created = new_session_row(db, dict(session))
                db.commit()
            self._set_cookie(app, response, token)
            return
        now = utcnow()
        stale = session.last_seen_at is None or now - session.last_seen_at >= TOUCH_INTERVAL
        if session.modified or stale:
            with self._db(app) as db:
                row = db.get(UserSession, session.row_id)
                if row is None:
                    response.delete_cookie(name, domain=domain, path=path)
                    return
                row.data = dict(session)
                row.last_seen_at = now
                db.commit()
        response.vary.add("Cookie")

    def _rotate(self, app: Flask, session: ServerSession, response: Response) -> None:
        """A new id at every sign-in, so an id planted before sign-in is worth nothing after it."""
        data = {key: value for key, value in session.items() if key != TIMED_OUT}
        with self._db(app) as db:
            if session.row_id is not None:
                db.execute(delete(UserSession).where(UserSession.id == session.row_id))
            token, _row = new_session_row(db, data, **(session.sign_in or {}))
            db.commit()
        self._set_cookie(app, response, token)

    def _delete_row(self, app: Flask, row_id: int | None) -> None:
        if row_id is None:
            return
        with self._db(app) as db:
            db.execute(delete(UserSession).where(UserSession.id == row_id))
            db.commit()

    def _set_cookie(self, app: Flask, response: Response, token: str) -> None:
        response.set_cookie(
            self.get_cookie_name(app),
            token,
            httponly=True,
            secure=self.get_cookie_secure(app),
            samesite=self.get_cookie_samesite(app),
            path=self.get_cookie_path(app),
            domain=self.get_cookie_domain(app),
        )
        response.vary.add("Cookie")


def purge_expired(db: Session) -> int:
    """Remove sessions past their idle or absolute limit (run by `flask sessions purge`)."""
    now = utcnow()
    result = db.execute(
        delete(UserSession).where(
            (UserSession.expires_at <= now) | (UserSession.last_seen_at <= now - idle_limit())
        )
    )
    db.commit()
    return int(getattr(result, "rowcount", 0) or 0)


def end_all_sessions(db: Session, *, client_id: int | None = None, staff_user_id: int | None = None) -> int:
    """Sign out everywhere: every session of this person ends at once."""
    query = delete(UserSession)
    if client_id is not None:
        query = query.where(UserSession.client_id == client_id)
    elif staff_user_id is not None:
        query = query.where(UserSession.staff_user_id == staff_user_id)
    else:
        return 0
    result = db.execute(query)
    return int(getattr(result, "rowcount", 0) or 0)
