"""Clients as professionals meet them: finding by hetu, assigning professionals, who may see whom."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, Select, bindparam, literal_column, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from portal.identity import hetu
from portal.models import Client, ClientAssignment, StaffUser
from portal.models.base import utcnow
from portal.models.names import folded
from portal.services.audit import Actor, record_access
from portal.services.counting import count_params, counted
from portal.services.reads import columns_of, loaded_one, prepared, read_values


def open_assignments(staff: StaffUser) -> Select[tuple[int]]:
    return select(ClientAssignment.client_id).where(
        ClientAssignment.staff_user_id == staff.id, ClientAssignment.ended_at.is_(None)
    )


def assigned_to(
    staff: StaffUser | BindParameter[int], client_id: ColumnElement[int] | InstrumentedAttribute[int]
) -> ColumnElement[bool]:
    """Whether the client of `client_id` (a column of the outer query) is assigned to this professional.

    A correlated EXISTS: a list in name or queue order can then walk its index and stop after a
    page, where `IN (all of the professional's clients)` would gather and sort them all first.
    The professional may be a bound parameter, for statements built once.
    """
    return (
        select(ClientAssignment.id)
        .where(
            ClientAssignment.client_id == client_id,
            ClientAssignment.staff_user_id == (staff.id if isinstance(staff, StaffUser) else staff),
            ClientAssignment.ended_at.is_(None),
        )
        .exists()
    )


def assigned_clients(staff: StaffUser) -> Select[tuple[Client]]:
    """The clients this professional works with now."""
    return select(Client).where(assigned_to(staff, Client.id))


def name_matches(term: str) -> ColumnElement[bool]:
    """Whether a client's name contains what was typed, in any case and with or without accents, in
    either order ("salin", "Šalin Veeti" and "veeti šalin" all find Veeti Šalin). A % or _ typed is
    a character to find, not a LIKE wildcard."""
    return Client.search_name.contains(folded(term), autoescape=True)


def assigned_page(db: Session, staff: StaffUser, *, limit: int, offset: int) -> list[Client]:
    """A page of the professional's clients in name order: the client list before any search."""
    return list(db.scalars(_assigned_page(), {"staff_id": staff.id, "limit": limit, "offset": offset}))


def assigned_count(db: Session, staff: StaffUser) -> int:
    """How many clients this professional works with (one open assignment each, a unique index),
    counted as far as the lists count (portal.services.counting)."""
    return read_values(db, _assigned_count(), {"staff_id": staff.id, **count_params()}).scalar() or 0


def can_see_client(db: Session, staff: StaffUser, client_id: int) -> bool:
    """Professionals see the clients assigned to them; nobody sees the rest."""
    return db.scalar(_assignment(), {"client_id": client_id, "staff_id": staff.id}) is not None


def client_for_staff(db: Session, staff: StaffUser, client_id: int) -> Client | None:
    """The client, if assigned to this professional (can_see_client and the client in one query)."""
    return loaded_one(db, Client, _assigned_client(), {"client_id": client_id, "staff_id": staff.id})


def working_with(db: Session, client_id: int) -> list[Any]:
    """The professionals assigned to the client now, in the order they were assigned, as plain rows
    (name, title_fi, title_sv, organisation): the client overview lists them."""
    return list(read_values(db, _working_with(), {"client_id": client_id}).all())


@prepared
def _working_with() -> Select[tuple[str, str, str, str]]:
    return (
        select(StaffUser.name, StaffUser.title_fi, StaffUser.title_sv, StaffUser.organisation)
        .join(ClientAssignment, ClientAssignment.staff_user_id == StaffUser.id)
        .where(ClientAssignment.client_id == bindparam("client_id"), ClientAssignment.ended_at.is_(None))
        .order_by(ClientAssignment.assigned_at)
    )


# Every professional's page runs these: built once, the people come as parameters.


@cache
def _assigned_page() -> Select[tuple[Client]]:
    return (
        select(Client)
        .where(assigned_to(bindparam("staff_id"), Client.id))
        .order_by(Client.family_name, Client.given_name, Client.id)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )


@prepared
def _assigned_count() -> Select[tuple[int]]:
    return counted(
        select(literal_column("1"))
        .select_from(ClientAssignment)
        .where(ClientAssignment.staff_user_id == bindparam("staff_id"), ClientAssignment.ended_at.is_(None))
    )


@prepared
def _assigned_client() -> Select[Any]:
    # Columns, made the client's object by loaded_one: every page about one client runs it.
    return columns_of(Client).where(
        Client.id == bindparam("client_id"), assigned_to(bindparam("staff_id"), Client.id)
    )


@cache
def _assignment() -> Select[tuple[int]]:
    return select(ClientAssignment.id).where(
        ClientAssignment.client_id == bindparam("client_id"),
        ClientAssignment.staff_user_id == bindparam("staff_id"),
        ClientAssignment.ended_at.is_(None),
    )


def find_by_hetu(
    db: Session, actor: Actor, code: str, *, allow_test_codes: bool, purpose: str
) -> Client | None:
    """The client with this hetu, if Polku knows them; a look-up that finds someone is logged."""
    code = hetu.validate(code, allow_test_codes=allow_test_codes)
    client = db.scalar(select(Client).where(Client.hetu_hash == hetu.lookup(code)))
    if client is not None:
        record_access(
            db, actor=actor, action="view", object_type="client_search", client_id=client.id, purpose=purpose
        )
    return client


def look_up_by_hetu(
    db: Session, actor: Actor, code: str, *, allow_test_codes: bool, purpose: str
) -> Client | None:
    """Whom something addressed by hetu would reach, before anything is made; commits the log entry."""
    client = find_by_hetu(db, actor, code, allow_test_codes=allow_test_codes, purpose=purpose)
    db.commit()
    return client


def find_or_create_by_hetu(
    db: Session, actor: Actor, code: str, *, allow_test_codes: bool, purpose: str
) -> Client:
    """A client looked up by hetu (logged); a client who has not signed in yet gets a record."""
    code = hetu.validate(code, allow_test_codes=allow_test_codes)
    client = find_by_hetu(db, actor, code, allow_test_codes=allow_test_codes, purpose=purpose)
    if client is None:
        client = Client(hetu_hash=hetu.lookup(code), hetu_encrypted=hetu.encrypt(code))
        db.add(client)
        db.flush()
        record_access(
            db, actor=actor, action="create", object_type="client", client_id=client.id, purpose=purpose
        )
    return client


def assign(
    db: Session, actor: Actor, client: Client, staff: StaffUser, *, responsibility: str = "adviser"
) -> ClientAssignment:
    """Assign a professional to a client (no-op when already assigned); commits."""
    existing = db.scalar(
        select(ClientAssignment).where(
            ClientAssignment.client_id == client.id,
            ClientAssignment.staff_user_id == staff.id,
            ClientAssignment.ended_at.is_(None),
        )
    )
    if existing is not None:
        return existing
    assignment = ClientAssignment(
        client_id=client.id, staff_user_id=staff.id, responsibility=responsibility, assigned_by_id=actor.id
    )
    db.add(assignment)
    db.flush()
    record_access(
        db,
        actor=actor,
        action="create",
        object_type="client_assignment",
        object_id=assignment.id,
        client_id=client.id,
    )
    db.commit()
    return assignment


def end_assignment(db: Session, actor: Actor, assignment: ClientAssignment) -> None:
    assignment.ended_at = utcnow()
    record_access(
        db,
        actor=actor,
        action="change",
        object_type="client_assignment",
        object_id=assignment.id,
        client_id=assignment.client_id,
        purpose="ended",
    )
    db.commit()
