"""Generated data for the benchmarks: many clients with pathways, assigned to the demo adviser."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from portal import crypto
from portal.demo import load_demo
from portal.i18n import today
from portal.identity import hetu
from portal.identity.sessions import new_session_row
from portal.models import Client, ClientAssignment, Pathway, PathwayEvent, StaffUser

CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"
STEPS = [
    "referral",
    "consent",
    "pre_interview_questionnaire",
    "service_need_assessment",
    "rehabilitation_interview",
]
CHUNK = 5000


def synthetic_hetu(n: int) -> str:
    day, month, year = 1 + n % 28, 1 + (n // 28) % 12, (n // 336) % 100
    individual = 900 + (n // 33600) % 100
    century = "-" if year > 10 else "A"
    digits = f"{day:02d}{month:02d}{year:02d}{individual:03d}"
    return f"{digits[:6]}{century}{digits[6:]}{CHECK[int(digits) % 31]}"


def generate(app: Flask, clients: int, events_per_client: int = 4, seed: int = 7) -> dict[str, Any]:
    """Demo people plus `clients` generated ones, all assigned to the demo adviser, in bulk."""
    rng = random.Random(seed)
    with app.app_context():
        db: Session = app.extensions["polku.sessionmaker"]()
        load_demo(db)
        adviser = db.scalar(select(StaffUser).where(StaffUser.email == "riikka.rantanen@kela.example"))
        assert adviser is not None
        start = db.scalar(select(Client.id).order_by(Client.id.desc()).limit(1)) or 0
        now = datetime.now(UTC)
        for first in range(0, clients, CHUNK):
            count = min(CHUNK, clients - first)
            rows = []
            for offset in range(count):
                code = synthetic_hetu(first + offset + 1000)
                rows.append(
                    {
                        "hetu_hash": hetu.lookup(code),
                        "hetu_encrypted": hetu.encrypt(code),
                        "given_name": f"Asiakas{first + offset}",
                        "family_name": rng.choice(
                            ["Virtanen", "Korhonen", "Nieminen", "Mäkinen", "Lindqvist"]
                        ),
                        "locale": rng.choice(["fi", "fi", "sv"]),
                        "notify_by": "email",
                        "non_disclosure": False,
                        "created_at": now,
                    }
                )
            db.execute(insert(Client), rows)
            ids = db.scalars(select(Client.id).where(Client.id > start).order_by(Client.id)).all()[
                first : first + count
            ]
            db.execute(
                insert(ClientAssignment),
                [
                    {
                        "client_id": cid,
                        "staff_user_id": adviser.id,
                        "responsibility": "adviser",
                        "assigned_at": now,
                    }
                    for cid in ids
                ],
            )
            db.execute(
                insert(Pathway),
                [
                    {
                        "client_id": cid,
                        "template_key": "kela_vocational_rehabilitation",
                        "template_version": 1,
                        "status": "active",
                        "current_step": rng.choice(STEPS),
                        "started_at": now - timedelta(days=60),
                        "started_by_id": adviser.id,
                        "version": 1,
                    }
                    for cid in ids
                ],
            )
            pathway_ids = db.scalars(select(Pathway.id).where(Pathway.client_id.in_(ids))).all()
            db.execute(
                insert(PathwayEvent),
                [
                    {
                        "pathway_id": pid,
                        "kind": "moved",
                        "step": STEPS[index % len(STEPS)],
                        "effective_on": today() - timedelta(days=10 * index),
                        "note_encrypted": crypto.encrypt("Muistiinpano", "pathway.note")
                        if index % 2
                        else None,
                        "visible_to_client": True,
                        "note_for_client": bool(index % 2),
                        "actor_id": adviser.id,
                        "created_at": now,
                    }
                    for pid in pathway_ids
                    for index in range(events_per_client)
                ],
            )
            db.commit()
        client = db.scalar(select(Client).where(Client.given_name == "Maija"))
        assert client is not None
        client_token, _ = new_session_row(db, {}, client_id=client.id, provider="ftn", auth_time=now)
        adviser_token, _ = new_session_row(db, {}, staff_user_id=adviser.id, provider="staff", auth_time=now)
        db.commit()
        overview_client = db.scalar(select(Client.id).where(Client.given_name == "Asiakas0"))
        facts = {
            "client_id": client.id,
            "adviser_id": adviser.id,
            "overview_client_id": overview_client or client.id,
            "client_token": client_token,
            "adviser_token": adviser_token,
        }
        db.close()
    return facts
