"""Signing in: finding or creating the person behind a verified sign-in, and staff roles."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.identity import hetu
from portal.identity.oidc import VerifiedSignIn
from portal.identity.providers import Provider
from portal.models import Client, Role, StaffRole, StaffUser
from portal.models.base import utcnow
from portal.services.audit import ANONYMOUS, Actor, record_access

ROLE_NAMES = {role.value for role in Role}


class UnknownStaffUser(Exception):
    """A staff sign-in that maps to no account and no role: no access."""


@dataclass(frozen=True)
class RequestFacts:
    ip: str | None
    request_id: str | None


def find_client_by_hetu(db: Session, code: str) -> Client | None:
    return db.scalar(select(Client).where(Client.hetu_hash == hetu.lookup(code)))


def sign_in_client(
    db: Session,
    verified: VerifiedSignIn,
    provider: Provider,
    facts: RequestFacts,
    *,
    allow_test_codes: bool,
    locale: str = "fi",
) -> Client:
    """The client is known by the hetu, never by `sub`, which FTN brokers make transient."""
    raw = provider.claim(verified.claims, "hetu")
    try:
        code = hetu.validate(str(raw or ""), allow_test_codes=allow_test_codes)
    except hetu.InvalidHetu:
        record_access(
            db,
            actor=ANONYMOUS,
            action="sign-in",
            object_type="session",
            outcome="failed",
            purpose="invalid personal identity code in the claims",
            ip=facts.ip,
            request_id=facts.request_id,
        )
        db.commit()
        raise
    client = find_client_by_hetu(db, code)
    if client is None:
        # Messages go in the language the client used when they first came.
        client = Client(hetu_hash=hetu.lookup(code), hetu_encrypted=hetu.encrypt(code), locale=locale)
        db.add(client)
    given = provider.claim(verified.claims, "given_name")
    family = provider.claim(verified.claims, "family_name")
    if given or family:
        client.given_name, client.family_name = str(given or ""), str(family or "")
    if not client.email and provider.claim(verified.claims, "email"):
        client.email = str(provider.claim(verified.claims, "email"))
    client.last_sign_in_at = utcnow()
    db.flush()
    record_access(
        db,
        actor=Actor(id=client.id, role="client"),
        action="sign-in",
        object_type="session",
        client_id=client.id,
        ip=facts.ip,
        request_id=facts.request_id,
    )
    db.commit()
    return client


def sign_in_staff(
    db: Session, verified: VerifiedSignIn, provider: Provider, facts: RequestFacts, *, locale: str = "fi"
) -> StaffUser:
    subject = f"{provider.name}:{provider.claim(verified.claims, 'subject')}"
    email = str(provider.claim(verified.claims, "email") or "").strip().lower()
    staff = db.scalar(select(StaffUser).where(StaffUser.provider_subject == subject))
    taken = False
    if staff is None and email:
        # The e-mail claim links an account an admin made ahead (users grant) to its first sign-in,
        # once. An account already bound to another identity is never rebound by it: a provider's
        # e-mail claim need not be verified, and anyone showing that address would get its roles.
        staff = db.scalar(select(StaffUser).where(StaffUser.email == email))
        if staff is not None and staff.provider_subject is not None:
            staff, taken = None, True
    group_roles = roles_from_groups(provider, verified)
    if staff is None and group_roles and not taken:
        staff = StaffUser(
            email=email, name=str(provider.claim(verified.claims, "name") or email), active=True
        )
        db.add(staff)
    if staff is not None:
        staff.provider_subject = subject
        sync_group_roles(staff, group_roles)
    if staff is None or not staff.active or not staff.role_names:
        record_access(
            db,
            actor=Actor(id=staff.id if staff else None, role="anonymous"),
            action="failed-authorisation",
            object_type="session",
            outcome="denied",
            purpose="staff sign-in by the e-mail of an account bound to another identity"
            if taken
            else "staff sign-in without a role",
            ip=facts.ip,
            request_id=facts.request_id,
        )
        db.commit()
        raise UnknownStaffUser(email)
    staff.last_sign_in_at = utcnow()
    staff.locale = locale
    db.flush()
    record_access(
        db,
        actor=Actor(id=staff.id, role=staff.role, org=staff.organisation),
        action="sign-in",
        object_type="session",
        ip=facts.ip,
        request_id=facts.request_id,
    )
    db.commit()
    return staff


def roles_from_groups(provider: Provider, verified: VerifiedSignIn) -> set[str]:
    groups = provider.claim(verified.claims, "groups") or []
    groups = {groups} if isinstance(groups, str) else set(groups)
    return {role for role, group in provider.role_groups.items() if group in groups and role in ROLE_NAMES}


def sync_group_roles(staff: StaffUser, group_roles: set[str]) -> None:
    """Roles from the provider's groups follow the groups; roles an admin granted stay."""
    for role in list(staff.roles):
        if role.source == "config" and role.role not in group_roles:
            staff.roles.remove(role)
    for name in group_roles - staff.role_names:
        staff.roles.append(StaffRole(role=name, source="config"))


def grant_role(db: Session, email: str, role: str) -> StaffUser:
    """`flask users grant EMAIL ROLE`: an admin gives a role by hand."""
    if role not in ROLE_NAMES:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(sorted(ROLE_NAMES))}")
    email = email.strip().lower()
    staff = db.scalar(select(StaffUser).where(StaffUser.email == email))
    if staff is None:
        staff = StaffUser(email=email, name=email)
        db.add(staff)
    if role not in staff.role_names:
        staff.roles.append(StaffRole(role=role, source="admin"))
    record_access(
        db,
        actor=Actor(id=None, role="system"),
        action="change",
        object_type="staff_role",
        object_id=email,
        purpose=f"grant {role}",
    )
    db.commit()
    return staff


def revoke_role(db: Session, email: str, role: str) -> StaffUser | None:
    staff = db.scalar(select(StaffUser).where(StaffUser.email == email.strip().lower()))
    if staff is None:
        return None
    for existing in list(staff.roles):
        if existing.role == role:
            staff.roles.remove(existing)
    record_access(
        db,
        actor=Actor(id=None, role="system"),
        action="change",
        object_type="staff_role",
        object_id=email,
        purpose=f"revoke {role}",
    )
    db.commit()
    return staff
