"""Demo data: the test people of the development identity provider and their situations."""

from __future__ import annotations

import tomllib
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.i18n import today
from portal.identity import hetu
from portal.models import Client, Pathway, StaffRole, StaffUser
from portal.services.audit import SYSTEM, Actor
from portal.services.clients import assign
from portal.services.pathway import Change, add_note, move_to_step, start_pathway

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


# Where each demo client stands: (pathway template, steps passed through in order, days between them).
DEMO_PATHWAYS = {
    "client_fi": ("kela_vocational_rehabilitation", ["referral", "consent"], 9),
    "client_sv": (
        "kela_vocational_rehabilitation",
        ["referral", "consent", "pre_interview_questionnaire"],
        7,
    ),
    "client_young": (
        "kela_vocational_rehabilitation",
        [
            "referral",
            "consent",
            "pre_interview_questionnaire",
            "service_need_assessment",
            "rehabilitation_interview",
        ],
        10,
    ),
    "client_new_sign": ("kela_rehabilitation_assessment", [], 0),
}
DEMO_NOTES = {
    "client_fi": (
        "Tervetuloa Polkuun! Saat pian suostumuspyynnön. Lue se rauhassa ja päätä, annatko suostumuksen.",
    ),
    "client_sv": ("Välkommen till Polku! Svara gärna på frågeformuläret före intervjun.",),
}


def load_demo(db: Session) -> str:
    """Create or refresh the demo people and their situations; running it again changes nothing else."""
    people = demo_people()
    clients = {person["key"]: ensure_client(db, person) for person in people["client"]}
    staff = {person["key"]: ensure_staff(db, person) for person in people["staff"]}
    db.commit()
    for client in clients.values():
        for key in ("adviser", "staff"):
            assign(db, SYSTEM, client, staff[key], responsibility=key)
    for key, (template_key, steps, gap) in DEMO_PATHWAYS.items():
        ensure_pathway(db, clients[key], staff["adviser"], template_key, steps, gap, DEMO_NOTES.get(key, ()))
    # These read the demo people from this module, so they are imported here.
    from portal.services.booking import demo_availability
    from portal.services.consent import demo_consents
    from portal.services.feedback import demo_feedback
    from portal.services.questionnaire import demo_questionnaires

    demo_consents(db)
    demo_questionnaires(db)
    demo_availability(db)
    demo_feedback(db)
    return f"{len(clients)} clients and {len(staff)} staff members"


def ensure_pathway(
    db: Session,
    client: Client,
    adviser: StaffUser,
    template_key: str,
    steps: list[str],
    gap: int,
    notes: tuple[str, ...],
) -> None:
    """A pathway with history, started so many days ago that the last move is today."""
    if db.scalar(select(Pathway.id).where(Pathway.client_id == client.id)) is not None:
        return
    actor = Actor(id=adviser.id, role="adviser", org=adviser.organisation)
    now = today()
    begun = now - timedelta(days=gap * max(0, len(steps) - 1))
    pathway = start_pathway(db, actor, client, template_key, Change(effective_on=begun))
    for index, step in enumerate(steps[1:], start=1):
        move_to_step(
            db,
            actor,
            client,
            pathway,
            step,
            Change(effective_on=begun + timedelta(days=gap * index)),
            pathway.version,
        )
    for note in notes:
        add_note(
            db,
            actor,
            client,
            pathway,
            Change(effective_on=now, note=note, note_for_client=True),
            pathway.version,
        )
