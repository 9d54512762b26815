"""The migrations build exactly the schema the models describe."""

import os
from datetime import date

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from portal.db import make_engine
from portal.migrations import upgrade
from portal.models import Base
from tests.conftest import database_of_our_own


# SQLite's reflection skips indexes on expressions (the review queue's order); PostgreSQL compares them.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
def test_models_and_migrations_do_not_drift(app):
    with app.extensions["polku.engine"].connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


@pytest.fixture
def scratch_database_url(tmp_path):
    """An empty database of its own, on the server the suite runs on (else a SQLite file)."""
    server_url = os.environ.get("PORTAL_TEST_DATABASE_URL")
    if not server_url:
        yield f"sqlite:///{tmp_path / 'scratch.sqlite3'}"
        return
    with database_of_our_own(server_url) as url:
        yield url


def test_text_written_before_revision_13_is_sealed_by_it(app, scratch_database_url):
    """A message and a revocation reason stored as plain text come out sealed, readable as before."""
    from portal.models import ConsentEvent, ConsentRequest
    from portal.services import consent as consent_service

    upgrade(scratch_database_url, "0012")
    engine = make_engine(scratch_database_url)
    with engine.begin() as connection:
        client_id = _a_client(connection)
    # UTC without a zone, as the portal writes times on SQLite.
    written = {"at": "2026-11-30 09:00:00", "on": date(2026, 12, 14), "c": client_id}
    with engine.begin() as connection:
        request_id = connection.execute(
            text(
                "INSERT INTO consent_request (client_id, template_key, template_version, message, due_on,"
                " status, created_at, updated_at, version)"
                " VALUES (:c, 'tym_data_exchange', 1, 'Hei, muistathan tämän.', :on, 'revoked', :at, :at, 3)"
                " RETURNING id"
            ),
            written,
        ).scalar_one()
        history = (("issued", None), ("revoked", "Masennukseni on pahentunut."), ("reissued", "#9"))
        for kind, reason in history:
            connection.execute(
                text(
                    "INSERT INTO consent_event (request_id, kind, at, actor_role, actor_id, channel, reason)"
                    " VALUES (:r, :kind, :at, 'client', :c, 'self-service', :reason)"
                ),
                {**written, "r": request_id, "kind": kind, "reason": reason},
            )
    with app.app_context():
        upgrade(scratch_database_url)
        with Session(engine) as db:
            request = db.get(ConsentRequest, request_id)
            events = db.scalars(select(ConsentEvent).order_by(ConsentEvent.id)).all()
            assert consent_service.request_message(request) == "Hei, muistathan tämän."
            assert [(e.reason, consent_service.event_reason(e)) for e in events] == [
                (None, ""),
                (None, "Masennukseni on pahentunut."),
                ("#9", ""),
            ]
    with engine.connect() as connection:
        raw = connection.execute(text("SELECT * FROM consent_event")).all()
        assert "Masennukseni" not in repr(raw)
        assert "message" not in {c["name"] for c in inspect(connection).get_columns("consent_request")}
    with pytest.raises(DBAPIError), engine.begin() as connection:
        connection.execute(text("UPDATE consent_event SET channel = 'assisted'"))  # still append-only
    engine.dispose()


def test_feedback_written_before_revision_15_is_sealed_by_it(app, scratch_database_url):
    """Feedback stored as plain text comes out sealed, and the main users read it as it was written."""
    from portal.services import feedback as feedback_service

    upgrade(scratch_database_url, "0014")
    engine = make_engine(scratch_database_url)
    with engine.begin() as connection:
        for message, page, reply_to in (
            ("Painike on liian pieni.", "Etusivu", "antaja@example.fi"),
            ("Ingen adress.", "", None),
        ):
            connection.execute(
                text(
                    "INSERT INTO feedback (created_at, locale, topic, page, message, reply_to)"
                    " VALUES ('2026-11-30 09:00:00', 'fi', 'other', :page, :message, :reply_to)"
                ),
                {"message": message, "page": page, "reply_to": reply_to},
            )
    with app.app_context():
        upgrade(scratch_database_url)
        with Session(engine) as db:
            opened = feedback_service.received(db, handled=False)
    assert [(item.message, item.page, item.reply_to) for item in opened] == [
        ("Painike on liian pieni.", "Etusivu", "antaja@example.fi"),
        ("Ingen adress.", "", None),
    ]
    with engine.connect() as connection:
        raw = repr(connection.execute(text("SELECT * FROM feedback")).all())
        assert "Painike" not in raw
        assert "antaja@" not in raw
        assert {"message", "page", "reply_to"}.isdisjoint(
            column["name"] for column in inspect(connection).get_columns("feedback")
        )
    engine.dispose()


def test_a_blocked_days_reason_written_before_revision_16_is_sealed_by_it(app, scratch_database_url):
    from portal.models import BlockedDay
    from portal.services.booking.availability import block_reason

    upgrade(scratch_database_url, "0015")
    engine = make_engine(scratch_database_url)
    with engine.begin() as connection:
        adviser = _an_adviser(connection)
        for day, reason in ((date(2026, 12, 24), "Sairausloma"), (date(2026, 12, 25), "")):
            connection.execute(
                text(
                    "INSERT INTO blocked_day (adviser_id, day, reason, created_at)"
                    " VALUES (:a, :day, :reason, '2026-11-30 09:00:00')"
                ),
                {"a": adviser, "day": day, "reason": reason},
            )
    with app.app_context():
        upgrade(scratch_database_url)
        with Session(engine) as db:
            reasons = [block_reason(day) for day in db.scalars(select(BlockedDay).order_by(BlockedDay.day))]
    assert reasons == ["Sairausloma", ""]
    with engine.connect() as connection:
        assert "Sairausloma" not in repr(connection.execute(text("SELECT * FROM blocked_day")).all())
    engine.dispose()


def test_an_interpreter_language_written_before_revision_17_is_sealed_by_it(app, scratch_database_url):
    from portal.models import Booking
    from portal.services.booking.bookings import interpreter_language

    upgrade(scratch_database_url, "0016")
    engine = make_engine(scratch_database_url)
    with engine.begin() as connection:
        client_id = _a_client(connection)
    at = {"s": "2026-12-10 08:00:00", "e": "2026-12-10 09:00:00", "c": client_id}
    with engine.begin() as connection:
        adviser = _an_adviser(connection)
        slot = connection.execute(
            text(
                "INSERT INTO slot (adviser_id, appointment_type, starts_at, ends_at, occupied_from,"
                " occupied_until, modalities, status, created_at)"
                " VALUES (:a, 'guidance', :s, :e, :s, :e, 'phone', 'booked', :s) RETURNING id"
            ),
            {**at, "a": adviser},
        ).scalar_one()
        connection.execute(
            text(
                "INSERT INTO booking (uid, slot_id, client_id, appointment_type, starts_at, ends_at, status,"
                " is_current, modality, interpreter_language, created_at, updated_at, sequence)"
                " VALUES ('u1', :slot, :c, 'guidance', :s, :e, 'booked', true, 'phone', 'arabia', :s, :s, 0)"
            ),
            {**at, "slot": slot},
        )
    with app.app_context():
        upgrade(scratch_database_url)
        with Session(engine) as db:
            assert [interpreter_language(b) for b in db.scalars(select(Booking))] == ["arabia"]
    with engine.connect() as connection:
        assert "arabia" not in repr(connection.execute(text("SELECT * FROM booking")).all())
    engine.dispose()


def _an_adviser(connection) -> int:
    """A professional's row as the migrations before these left the table."""
    return connection.execute(
        text(
            "INSERT INTO staff_user (name, email, organisation, title_fi, title_sv, active, created_at,"
            " locale) VALUES ('Riikka', 'r@example.fi', 'Kela', '', '', true, '2026-11-30 09:00', 'fi')"
            " RETURNING id"
        )
    ).scalar_one()


def _a_client(connection) -> int:
    """A client's row as the migrations before these left the table (models may have more columns)."""
    return connection.execute(
        text(
            "INSERT INTO client (hetu_hash, hetu_encrypted, given_name, family_name, locale, notify_by,"
            " non_disclosure, created_at) VALUES ('h1', :sealed, 'Maija', 'Meikäläinen', 'fi', 'email',"
            " false, '2026-11-30 09:00') RETURNING id"
        ),
        {"sealed": b"\x00"},
    ).scalar_one()


def test_names_written_before_revision_18_are_found_by_the_search_after_it(app, scratch_database_url):
    from portal.models import Client
    from portal.services.clients import name_matches

    upgrade(scratch_database_url, "0017")
    engine = make_engine(scratch_database_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO client (hetu_hash, hetu_encrypted, given_name, family_name, locale, notify_by,"
                " non_disclosure, created_at) VALUES ('h2', :sealed, 'Veeti', 'Šalin', 'fi', 'email',"
                " false, '2026-11-30 09:00')"
            ),
            {"sealed": b"\x00"},
        )
    upgrade(scratch_database_url)
    with Session(engine) as db:
        assert db.scalars(select(Client.given_name).where(name_matches("salin veeti"))).all() == ["Veeti"]
    engine.dispose()
