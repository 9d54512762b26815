"""People who sign in: clients (known by their hetu), staff with roles, and their server-side sessions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, UTCDateTime, utcnow
from portal.models.names import search_name


class Role(StrEnum):
    ADVISER = "adviser"
    STAFF = "staff"
    ADMIN = "admin"


class Client(Base):
    """A TYM client. The hetu is stored only encrypted; rows are found by its keyed hash."""

    __tablename__ = "client"
    # The professionals' client lists are in name order, a page at a time.
    __table_args__ = (Index("ix_client_name_order", "family_name", "given_name", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hetu_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hetu_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    given_name: Mapped[str] = mapped_column(String(200), default="")
    family_name: Mapped[str] = mapped_column(String(200), default="")
    # What the name searches read (portal.models.names), kept in step with the names on every write.
    search_name: Mapped[str] = mapped_column(String(410), default="", server_default="")
    locale: Mapped[str] = mapped_column(String(2), default="fi")
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(20))  # E.164
    # How the client wants to hear that something waits in Polku: "email", "sms", "both" or "none".
    notify_by: Mapped[str] = mapped_column(String(10), default="email")
    municipality: Mapped[str | None] = mapped_column(String(100))
    # A non-disclosure marking (turvakielto): addresses are never shown to staff who do not need them.
    non_disclosure: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    role = "client"


class StaffUser(Base):
    """An adviser, staff member or admin, known by the organisation provider's stable subject."""

    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    organisation: Mapped[str] = mapped_column(String(200), default="")
    title_fi: Mapped[str] = mapped_column(String(200), default="")
    title_sv: Mapped[str] = mapped_column(String(200), default="")
    provider_subject: Mapped[str | None] = mapped_column(String(300), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The language of the portal at the professional's latest sign-in: messages to them use it.
    locale: Mapped[str] = mapped_column(String(2), default="fi", server_default="fi")

    # Loaded when first used (the signed-in professional's checks): a page that lists appointments
    # with their advisers' names does not need everybody's roles.
    roles: Mapped[list[StaffRole]] = relationship(back_populates="staff_user", cascade="all, delete-orphan")

    @property
    def role_names(self) -> set[str]:
        return {role.role for role in self.roles}

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_names & set(roles))

    @property
    def role(self) -> str:
        """The main role, for the access log: admin over staff over adviser."""
        for candidate in (Role.ADMIN, Role.STAFF, Role.ADVISER):
            if candidate in self.role_names:
                return candidate.value
        return "none"


class StaffRole(Base):
    __tablename__ = "staff_role"
    __table_args__ = (UniqueConstraint("staff_user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    # "config" roles follow the provider's groups at each sign-in; "admin" ones were granted by hand.
    source: Mapped[str] = mapped_column(String(20), default="admin")
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    staff_user: Mapped[StaffUser] = relationship(back_populates="roles")


class UserSession(Base):
    """A browser session. The cookie holds a random id; only its SHA-256 is stored here."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"), index=True)
    staff_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="CASCADE"), index=True
    )
    # How strongly and when the person last proved who they are (for step-up and evidence).
    provider: Mapped[str | None] = mapped_column(String(40))
    acr: Mapped[str | None] = mapped_column(String(200))
    amr: Mapped[str | None] = mapped_column(String(200))
    auth_time: Mapped[datetime | None] = mapped_column(UTCDateTime())
    idp_session: Mapped[str | None] = mapped_column(String(300))
    id_token_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)

    client: Mapped[Client | None] = relationship()
    staff_user: Mapped[StaffUser | None] = relationship()


class SingleUseToken(Base):
    """Identifiers that may be accepted once: authorisation codes, assertion jti values."""

    __tablename__ = "single_use_token"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


@event.listens_for(Client, "before_insert")
@event.listens_for(Client, "before_update")
def _keep_search_name(_mapper: Any, _connection: Any, client: Client) -> None:
    client.search_name = search_name(client.given_name or "", client.family_name or "")
