"""Generated data for the benchmarks, written in bulk with Core inserts.

Every generated client is assigned to the demo adviser (the bench adviser) and has a pathway with
events, a pre-interview questionnaire (not started, half answered, sent, or sent and reviewed),
every fifth a coming guidance appointment and every fifth a past one, every third a consent request
waiting. The demo client Maija (the bench client) gets `items` of each kind of history: pathway
events, past appointments, sent questionnaires and free guidance times in next week, so that her
pages can be measured at two sizes. Answers and notes are sealed with the portal's own crypto.
"""

from __future__ import annotations

import math
import random
import secrets
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from portal import crypto
from portal.content.questionnaires import latest
from portal.demo import demo_person, load_demo
from portal.i18n import HELSINKI, today
from portal.identity import hetu
from portal.identity.sessions import new_session_row
from portal.models import (
    Booking,
    Client,
    ClientAssignment,
    ConsentEvent,
    ConsentRequest,
    Pathway,
    PathwayEvent,
    QuestionnaireResponse,
    Slot,
    StaffRole,
    StaffUser,
)
from portal.models.names import search_name
from portal.services.audit import Actor
from portal.services.consent import issue
from portal.services.pathway import NOTE_CONTEXT
from portal.services.questionnaire.demo import YOUNG_ANSWERS
from portal.services.questionnaire.drafts import PRE_INTERVIEW, Draft, seal_draft

CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"
STEPS = [
    "referral",
    "consent",
    "pre_interview_questionnaire",
    "service_need_assessment",
    "rehabilitation_interview",
]
FAMILY_NAMES = ["Virtanen", "Korhonen", "Nieminen", "Mäkinen", "Lindqvist"]
CHUNK = 5000
BOOKING_TYPE = "guidance"  # bookable by every client someone works with: the booking day list
HOURS = range(8, 16)  # one guidance time an hour (45 minutes and a 15 minute buffer)
PER_WEEK = len(HOURS) * 5  # times of one adviser in one working week
WEEKS = 8  # weeks of past and of coming appointments of the generated clients
HALF_ANSWERED = Draft({"current_situation": ["unemployed"]}, "services", ("now",))


def synthetic_hetu(n: int) -> str:
    """A valid test-range personal identity code, unique for n < 3 158 400.

    Individual numbers 906-999: the demo people have 901-905.
    """
    day, month, year = 1 + n % 28, 1 + (n // 28) % 12, (n // 336) % 100
    individual = 906 + (n // 33600) % 94
    century = "-" if year > 10 else "A"
    digits = f"{day:02d}{month:02d}{year:02d}{individual:03d}"
    return f"{digits[:6]}{century}{digits[6:]}{CHECK[int(digits) % 31]}"


def chunks(count: int, size: int = CHUNK) -> Iterator[range]:
    for first in range(0, count, size):
        yield range(first, min(count, first + size))


def inserted_ids(db: Session, model: Any, rows: list[dict[str, Any]]) -> list[int]:
    """One executemany (batched VALUES with RETURNING), ids in the order of the rows."""
    if not rows:
        return []
    statement = insert(model).returning(model.id, sort_by_parameter_order=True)
    return list(db.scalars(statement, rows).all())


def monday_after(day: date, weeks: int) -> date:
    return day - timedelta(days=day.weekday()) + timedelta(weeks=weeks)


class Calendar:
    """Hands out non-overlapping guidance times of the helper advisers, week by week."""

    def __init__(self, advisers: list[int]) -> None:
        self.advisers = advisers
        self.this_monday = monday_after(today(), 0)

    def times(self, weeks: list[int]) -> Iterator[tuple[int, datetime]]:
        for week in weeks:
            monday = self.this_monday + timedelta(weeks=week)
            for adviser in self.advisers:
                for weekday in range(5):
                    for hour in HOURS:
                        local = datetime.combine(
                            monday + timedelta(days=weekday), time(hour), tzinfo=HELSINKI
                        )
                        yield adviser, local.astimezone(UTC)


def slot_row(adviser: int, starts: datetime, status: str, now: datetime) -> dict[str, Any]:
    ends = starts + timedelta(minutes=45)
    return {
        "adviser_id": adviser,
        "appointment_type": BOOKING_TYPE,
        "starts_at": starts,
        "ends_at": ends,
        "occupied_from": starts,
        "occupied_until": ends + timedelta(minutes=15),
        "modalities": "phone video in_person",
        "office_key": "jarvenpaa",
        "status": status,
        "created_at": now,
    }


def booking_row(
    client_id: int, slot_id: int, slot: dict[str, Any], *, past: bool, now: datetime
) -> dict[str, Any]:
    return {
        "uid": secrets.token_hex(16),
        "slot_id": slot_id,
        "client_id": client_id,
        "appointment_type": slot["appointment_type"],
        "starts_at": slot["starts_at"],
        "ends_at": slot["ends_at"],
        "status": "done" if past else "booked",
        "is_current": not past,
        "modality": "phone",
        "sequence": 0,
        "created_at": now,
        "updated_at": now,
    }


def book(db: Session, owners: list[int], times: Iterator[tuple[int, datetime]], *, past: bool) -> None:
    """A booked slot and its booking for each client in owners (done when past, else coming)."""
    now = datetime.now(UTC)
    for part in chunks(len(owners)):
        slots = [slot_row(*next(times), "booked", now) for _ in part]
        slot_ids = inserted_ids(db, Slot, slots)
        db.execute(
            insert(Booking),
            [
                booking_row(owners[index], slot_id, slot, past=past, now=now)
                for index, slot_id, slot in zip(part, slot_ids, slots, strict=True)
            ],
        )


def helper_advisers(db: Session, count: int) -> list[int]:
    """Advisers who publish the guidance times (one adviser's times may not overlap)."""
    now = datetime.now(UTC)
    ids = inserted_ids(
        db,
        StaffUser,
        [
            {
                "email": f"bench.adviser{number}@kela.example",
                "name": f"Neuvoja {number}",
                "organisation": "Kela",
                "title_fi": "TYM-työkykyneuvoja",
                "title_sv": "TYM-arbetsförmågerådgivare",
                "active": True,
                "created_at": now,
            }
            for number in range(count)
        ],
    )
    db.execute(
        insert(StaffRole),
        [{"staff_user_id": sid, "role": "adviser", "source": "admin", "granted_at": now} for sid in ids],
    )
    return ids


def sealed_responses(
    db: Session, rows: list[tuple[int, str]], adviser_id: int, rng: random.Random, now: datetime
) -> list[int]:
    """Pre-interview questionnaires: (client id, state) with state not_started, answering, sent, reviewed.

    The answers are sealed with the response id, and a sent response never changes again (a
    trigger refuses it), so the ids are chosen before the one insert and the sequence moved after.
    """
    first = (db.scalar(select(func.max(QuestionnaireResponse.id))) or 0) + 1
    ids = list(range(first, first + len(rows)))
    version = latest(PRE_INTERVIEW).version  # as an adviser assigning one today gives
    records = []
    for response_id, (client_id, state) in zip(ids, rows, strict=True):
        sent = state in ("sent", "reviewed")
        record: dict[str, Any] = {
            "id": response_id,
            "client_id": client_id,
            "questionnaire_key": PRE_INTERVIEW,
            "questionnaire_version": version,
            "assigned_by_id": adviser_id,
            "assigned_at": now - timedelta(days=20),
            "interview_at": now + timedelta(days=rng.randint(1, 40), hours=rng.randint(0, 8)),
            "status": "submitted" if sent else "draft",
            "submitted_at": now - timedelta(days=rng.randint(1, 15)) if sent else None,
            "content_encrypted": None,
            "reviewed_at": now if state == "reviewed" else None,
            "reviewed_by_id": adviser_id if state == "reviewed" else None,
            "version": 1,
            "review_version": int(state == "reviewed"),
            "updated_at": now,
        }
        if state != "not_started":
            draft = Draft(dict(YOUNG_ANSWERS)) if sent else HALF_ANSWERED
            record["content_encrypted"] = seal_draft(response_id, draft)
        records.append(record)
    for part in chunks(len(records)):
        db.execute(insert(QuestionnaireResponse), records[part.start : part.stop])
    if db.get_bind().dialect.name == "postgresql":
        db.execute(
            text(
                "SELECT setval(pg_get_serial_sequence('questionnaire_response', 'id'),"
                " (SELECT max(id) FROM questionnaire_response))"
            )
        )
    return ids


def generate(
    app: Flask, clients: int, *, items: int = 20, events_per_client: int = 4, seed: int = 7
) -> dict[str, Any]:
    """Demo people plus `clients` generated ones, all assigned to the demo adviser, in bulk."""
    rng = random.Random(seed)
    with app.app_context():
        db: Session = app.extensions["polku.sessionmaker"]()
        load_demo(db)
        adviser = db.scalar(select(StaffUser).where(StaffUser.email == demo_person("adviser")["email"]))
        client = db.scalar(
            select(Client).where(Client.hetu_hash == hetu.lookup(demo_person("client_fi")["hetu"]))
        )
        assert adviser is not None
        assert client is not None
        now = datetime.now(UTC)
        # Past times go to a fifth of the clients and to Maija's history; coming ones to another fifth.
        needed = max(items / PER_WEEK, (clients // 5 + 1 + items) / (PER_WEEK * WEEKS))
        advisers = helper_advisers(db, max(1, math.ceil(needed)))
        calendar = Calendar(advisers)
        past_times = calendar.times([-week for week in range(1, WEEKS + 1)])
        coming_times = calendar.times(list(range(2, WEEKS + 2)))
        generated = _clients(db, clients, adviser, rng, now, events_per_client, past_times, coming_times)
        _bench_client_history(db, client, adviser, items, rng, now, calendar, past_times)
        db.commit()
        client_token, _ = new_session_row(db, {}, client_id=client.id, provider="ftn", auth_time=now)
        adviser_token, _ = new_session_row(db, {}, staff_user_id=adviser.id, provider="staff", auth_time=now)
        db.commit()
        draft = db.scalar(
            select(QuestionnaireResponse.id).where(
                QuestionnaireResponse.client_id == client.id, QuestionnaireResponse.status == "draft"
            )
        )
        facts = {
            "client_id": client.id,
            "adviser_id": adviser.id,
            "overview_client_id": client.id,
            "client_token": client_token,
            "adviser_token": adviser_token,
            "response_id": draft,
            "booking_type": BOOKING_TYPE,
            "drafts": generated,  # [client id, open response id]: clients who may answer and book
        }
        db.close()
    return facts


def _clients(
    db: Session,
    clients: int,
    adviser: StaffUser,
    rng: random.Random,
    now: datetime,
    events_per_client: int,
    past_times: Iterator[tuple[int, datetime]],
    coming_times: Iterator[tuple[int, datetime]],
) -> list[list[int]]:
    start = db.scalar(select(Client.id).order_by(Client.id.desc()).limit(1)) or 0
    drafts: list[list[int]] = []
    for part in chunks(clients):
        ids = inserted_ids(
            db,
            Client,
            [
                {
                    "hetu_hash": hetu.lookup(code := synthetic_hetu(start + number + 1000)),
                    "hetu_encrypted": hetu.encrypt(code),
                    "given_name": f"Asiakas{number}",
                    "family_name": (family := rng.choice(FAMILY_NAMES)),
                    "search_name": search_name(f"Asiakas{number}", family),
                    "locale": rng.choice(["fi", "fi", "sv"]),
                    "email": f"asiakas{number}@example.fi",
                    "notify_by": "email",
                    "non_disclosure": False,
                    "created_at": now,
                }
                for number in part
            ],
        )
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
        pathway_ids = inserted_ids(
            db,
            Pathway,
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
        db.execute(insert(PathwayEvent), _events(pathway_ids, events_per_client, adviser.id, now))
        states = ["not_started", "answering", "sent", "reviewed"]
        rows = [(cid, states[number % 4]) for number, cid in zip(part, ids, strict=True)]
        responses = sealed_responses(db, rows, adviser.id, rng, now)
        # Open questionnaires of clients with no coming guidance time: the load run's simulated users.
        drafts += [
            [cid, rid]
            for number, (cid, state), rid in zip(part, rows, responses, strict=True)
            if state in states[:2] and number % 5
        ]
        book(
            db,
            [cid for number, cid in zip(part, ids, strict=True) if number % 5 == 0],
            coming_times,
            past=False,
        )
        book(
            db, [cid for number, cid in zip(part, ids, strict=True) if number % 5 == 1], past_times, past=True
        )
        _consent_requests(
            db, [cid for number, cid in zip(part, ids, strict=True) if number % 3 == 0], adviser.id, now
        )
        db.commit()
    return drafts


def _events(pathway_ids: list[int], count: int, actor_id: int, now: datetime) -> list[dict[str, Any]]:
    return [
        {
            "pathway_id": pid,
            "kind": "note" if index % 2 else "moved",
            "step": None if index % 2 else STEPS[index % len(STEPS)],
            "effective_on": today() - timedelta(days=10 * (count - index)),
            "note_encrypted": crypto.encrypt("Muistiinpano", NOTE_CONTEXT) if index % 2 else None,
            "visible_to_client": True,
            "note_for_client": bool(index % 2),
            "actor_id": actor_id,
            "created_at": now,
        }
        for pid in pathway_ids
        for index in range(count)
    ]


def _consent_requests(db: Session, client_ids: list[int], adviser_id: int, now: datetime) -> None:
    request_ids = inserted_ids(
        db,
        ConsentRequest,
        [
            {
                "client_id": cid,
                "template_key": "tym_data_exchange",
                "template_version": 1,
                "issued_by_id": adviser_id,
                "due_on": today() + timedelta(days=14),
                "status": "pending",
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
            for cid in client_ids
        ],
    )
    if request_ids:
        db.execute(
            insert(ConsentEvent),
            [
                {
                    "request_id": rid,
                    "kind": "issued",
                    "at": now,
                    "actor_role": "adviser",
                    "actor_id": adviser_id,
                }
                for rid in request_ids
            ],
        )


def _bench_client_history(
    db: Session,
    client: Client,
    adviser: StaffUser,
    items: int,
    rng: random.Random,
    now: datetime,
    calendar: Calendar,
    past_times: Iterator[tuple[int, datetime]],
) -> None:
    """Maija's history grows with `items`; her open questionnaire and interview offer come from the demo.

    She also has her interview booked in one of the demo adviser's times, and a consent to sign.
    """
    pathway_id = db.scalar(
        select(Pathway.id).where(Pathway.client_id == client.id, Pathway.status == "active")
    )
    assert pathway_id is not None
    db.execute(insert(PathwayEvent), _events([pathway_id], items, adviser.id, now))
    sealed_responses(db, [(client.id, "reviewed")] * items, adviser.id, rng, now)
    book(db, [client.id] * items, past_times, past=True)
    free = calendar.times([1])  # next week: the week the booking day list opens on
    db.execute(insert(Slot), [slot_row(*next(free), "free", now) for _ in range(items)])
    interview = db.scalars(
        select(Slot)
        .where(
            Slot.adviser_id == adviser.id,
            Slot.status == "free",
            Slot.appointment_type == "rehabilitation_interview",
        )
        .order_by(Slot.starts_at.desc())
        .limit(1)
    ).first()
    if (
        interview is not None
        and db.scalar(select(Booking.id).where(Booking.client_id == client.id, Booking.is_current)) is None
    ):
        interview.status = "booked"
        db.add(
            Booking(
                uid=secrets.token_hex(16),
                slot_id=interview.id,
                client_id=client.id,
                appointment_type=interview.appointment_type,
                starts_at=interview.starts_at,
                ends_at=interview.ends_at,
                modality="video",
            )
        )
    if db.scalar(select(ConsentRequest.id).where(ConsentRequest.client_id == client.id)) is None:
        actor = Actor(id=adviser.id, role=adviser.role, org=adviser.organisation)
        issue(
            db,
            actor,
            adviser,
            client,
            template_key="tym_data_exchange",
            message=None,
            due_on=today() + timedelta(days=14),
        )
    db.commit()


def sign_in(app: Flask, client_ids: list[int]) -> list[str]:
    """A session cookie value for each client, made directly in the database."""
    with app.app_context():
        db: Session = app.extensions["polku.sessionmaker"]()
        now = datetime.now(UTC)
        tokens = [
            new_session_row(db, {}, client_id=cid, provider="ftn", auth_time=now)[0] for cid in client_ids
        ]
        db.commit()
        db.close()
    return tokens
