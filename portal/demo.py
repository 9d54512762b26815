"""Demo data: the test people of the development identity provider and their situations."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.identity import hetu
from portal.models import Client, StaffRole, StaffUser

PEOPLE_FILE = Path(__file__).parent / "content" / "demo" / "people.toml"


@cache
def demo_people() -> dict[str, list[dict[str, Any]]]:
    data = tomllib.loads(PEOPLE_FILE.read_text(encoding="utf-8"))
    return {"client": data.get("client", []), "staff": data.get("staff", [])}


def demo_person(key: str) -> dict[str, Any]:
    people = demo_people()
    return next(p for p in people["client"] + people["staff"] if p["key"] == key)


def ensure_client(db: Session, person: dict[str, Any]) -> Client:
    code = hetu.validate(person["hetu"], allow_test_codes=True)
    client = db.scalar(select(Client).where(Client.hetu_hash == hetu.lookup(code)))
    if client is None:
        client = Client(hetu_hash=hetu.lookup(code), hetu_encrypted=hetu.encrypt(code))
        db.add(client)
    given, _, family = person["name"].rpartition(" ")
    client.given_name, client.family_name = given, family
    client.locale = person.get("locale", "fi")
    client.email = person.get("email")
    client.municipality = person.get("municipality")
    return client


def ensure_staff(db: Session, person: dict[str, Any]) -> StaffUser:
    staff = db.scalar(select(StaffUser).where(StaffUser.email == person["email"]))
    if staff is None:
        staff = StaffUser(email=person["email"])
        db.add(staff)
    staff.name = person["name"]
    staff.organisation = person.get("organisation", "")
    staff.title_fi = person.get("title_fi", "")
    staff.title_sv = person.get("title_sv", "")
    for role in person.get("roles", []):
        if role not in staff.role_names:
            staff.roles.append(StaffRole(role=role, source="admin"))
    return staff


def load_demo(db: Session) -> str:
    """Create or refresh the demo people; running it again changes nothing else."""
    people = demo_people()
    clients = [ensure_client(db, person) for person in people["client"]]
    staff = [ensure_staff(db, person) for person in people["staff"]]
    db.commit()
    return f"{len(clients)} clients and {len(staff)} staff members"
