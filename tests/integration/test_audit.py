"""The access log: one unbroken chain under concurrent writers; `flask audit verify` finds tampering."""

import itertools
import threading
from contextlib import nullcontext
from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import exc, func, select, text

from portal import create_app
from portal.config import UnsafeConfiguration
from portal.models import AccessLogEntry, ListView
from portal.services.audit import (
    Actor,
    ChainHead,
    audit_key,
    chain_head,
    record_access,
    record_access_now,
    record_accesses,
)
from portal.services.audit_verify import verify_chain
from tests.query_count import count_queries

ADVISER = Actor(id=7, role="adviser", org="Kuntoutus Oy")

pytestmark = pytest.mark.usefixtures("app_context")


def write_entries(db, count, client_id=42):
    for number in range(1, count + 1):
        record_access(
            db,
            actor=ADVISER,
            action="view",
            object_type="questionnaire_response",
            object_id=number,
            client_id=client_id,
            purpose="review",
            request_id=f"req-{number}",
            ip="192.0.2.10",
        )
    db.commit()


def run_verify(app, *args):
    return app.test_cli_runner().invoke(args=["audit", "verify", *args])


def test_entries_form_a_chain_that_verifies(app, db):
    write_entries(db, 5)

    entries = db.scalars(select(AccessLogEntry).order_by(AccessLogEntry.seq)).all()
    assert [entry.seq for entry in entries] == [1, 2, 3, 4, 5]
    assert all(later.prev_mac == earlier.mac for earlier, later in itertools.pairwise(entries))
    assert entries[2].object_id == "3"
    assert entries[2].actor_org == "Kuntoutus Oy"
    assert verify_chain(db, audit_key()).ok
    result = run_verify(app)
    assert result.exit_code == 0, result.output
    assert "5 entries" in result.output


def test_record_access_leaves_the_commit_to_the_caller(app, db):
    record_access(db, actor=ADVISER, action="view", object_type="booking", object_id=1, client_id=42)
    db.rollback()

    assert db.scalars(select(AccessLogEntry)).all() == []
    assert chain_head(db).seq == 0


def test_record_access_now_commits_for_views_that_only_show(app, db):
    record_access_now(db, actor=ADVISER, action="view", object_type="client", client_id=42)
    db.close()

    with app.extensions["polku.sessionmaker"]() as other:
        assert other.scalars(select(AccessLogEntry.action)).all() == ["view"]


def test_unknown_actions_and_roles_are_refused(db):
    with pytest.raises(ValueError, match="action"):
        record_access(db, actor=ADVISER, action="peek", object_type="client")
    with pytest.raises(ValueError, match="role"):
        Actor(id=1, role="superuser", org="")


def test_a_changed_entry_is_reported(app, db):
    write_entries(db, 5)
    db.execute(text("UPDATE access_log SET object_id = '999' WHERE seq = 3"))
    db.commit()

    result = run_verify(app)

    assert result.exit_code == 1
    assert "seq 3" in result.output
    assert "changed" in result.output


def test_a_changed_time_is_reported(app, db):
    write_entries(db, 3)
    entry = db.scalars(select(AccessLogEntry).where(AccessLogEntry.seq == 2)).one()
    entry.at = entry.at.replace(year=entry.at.year - 1)
    db.commit()

    assert verify_chain(db, audit_key()).first_bad_seq == 2


def test_a_deleted_entry_is_reported(app, db):
    write_entries(db, 5)
    db.execute(text("DELETE FROM access_log WHERE seq = 2"))
    db.commit()

    result = run_verify(app)

    assert result.exit_code == 1
    assert "seq 2" in result.output
    assert "removed" in result.output


def test_deleting_the_newest_entries_is_reported(app, db):
    write_entries(db, 5)
    db.execute(text("DELETE FROM access_log WHERE seq >= 4"))
    db.commit()

    result = run_verify(app)

    assert result.exit_code == 1
    assert "seq 4" in result.output


def test_an_inserted_entry_is_reported(app, db):
    write_entries(db, 4)
    last_mac = db.scalar(select(AccessLogEntry.mac).where(AccessLogEntry.seq == 4))
    db.execute(
        text(
            "INSERT INTO access_log (seq, at, actor_id, actor_role, actor_org, client_id, action,"
            " object_type, object_id, outcome, mac, prev_mac) VALUES (5, :at, 1, 'admin', '', 42,"
            " 'export', 'client', '42', 'ok', :mac, :prev)"
        ),
        {"at": "2026-01-01 00:00:00.000000", "mac": "ab" * 32, "prev": last_mac},
    )
    db.execute(text("UPDATE audit_chain_head SET seq = 5, mac = :mac"), {"mac": "ab" * 32})
    db.commit()

    result = run_verify(app)

    assert result.exit_code == 1
    assert "seq 5" in result.output
    assert "forged" in result.output


def test_an_entry_inserted_in_the_middle_is_reported(app, db):
    write_entries(db, 4)
    # Make room by renumbering the last two entries, then slip a forged one into the gap.
    db.execute(text("UPDATE access_log SET seq = seq + 10 WHERE seq >= 3"))
    db.execute(text("UPDATE access_log SET seq = seq - 9 WHERE seq >= 13"))
    second_mac = db.scalar(select(AccessLogEntry.mac).where(AccessLogEntry.seq == 2))
    db.execute(
        text(
            "INSERT INTO access_log (seq, at, actor_role, actor_org, action, object_type, outcome,"
            " mac, prev_mac) VALUES (3, :at, 'system', '', 'view', 'client', 'ok', :mac, :prev)"
        ),
        {"at": "2026-01-01 00:00:00.000000", "mac": "cd" * 32, "prev": second_mac},
    )
    db.commit()

    result = verify_chain(db, audit_key())

    assert not result.ok
    assert result.first_bad_seq == 3
    assert result.checked == 2


def test_the_head_can_be_kept_off_site_and_checked_later(app, db):
    write_entries(db, 3)
    printed = app.test_cli_runner().invoke(args=["audit", "head"])
    assert printed.exit_code == 0
    kept = ChainHead.parse(printed.output)
    assert kept.seq == 3

    write_entries(db, 2)
    assert run_verify(app, "--expect", str(kept)).exit_code == 0

    # Someone with database access rewrites the whole log and its head: only the kept head tells.
    db.execute(text("DELETE FROM access_log"))
    db.execute(text("DELETE FROM audit_chain_head"))
    db.commit()
    write_entries(db, 1)
    assert run_verify(app).exit_code == 0
    result = run_verify(app, "--expect", str(kept))
    assert result.exit_code == 1
    assert "off-site" in result.output


def test_a_different_key_fails_verification(app, db):
    write_entries(db, 2)

    result = verify_chain(db, "another-key-that-an-intruder-might-try-01234")

    assert (result.ok, result.first_bad_seq) == (False, 1)


def test_a_hundred_concurrent_writers_keep_one_unbroken_chain(app, db):
    sessionmaker = app.extensions["polku.sessionmaker"]
    writers = 100
    start = threading.Barrier(writers)
    errors = []

    def write(number):
        try:
            with app.app_context(), sessionmaker() as session:
                start.wait(timeout=30)
                record_access(
                    session, actor=ADVISER, action="change", object_type="booking", object_id=number
                )
                session.commit()
        except Exception as error:  # reported below; a thread cannot fail the test itself
            errors.append(error)

    threads = [threading.Thread(target=write, args=(number,)) for number in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    seqs = db.scalars(select(AccessLogEntry.seq).order_by(AccessLogEntry.seq)).all()
    assert seqs == list(range(1, writers + 1))
    written = db.scalars(select(AccessLogEntry.object_id)).all()
    assert sorted(written, key=int) == [str(number) for number in range(writers)]
    result = verify_chain(db, audit_key())
    assert (result.ok, result.checked) == (True, writers)
    assert run_verify(app).exit_code == 0


def view_list(db, client_ids, object_type="questionnaire_queue", actor=ADVISER):
    fields = {"actor": actor, "action": "view", "object_type": object_type, "client_ids": client_ids}
    written = record_accesses(db, [fields])
    db.commit()
    return written[0]["seq"]


def list_views(db):
    rows = db.execute(
        select(ListView.client_id, ListView.day, ListView.seq).order_by(ListView.seq, ListView.client_id)
    )
    return [tuple(row) for row in rows]


def test_a_list_is_one_entry_naming_its_clients_and_each_client_finds_the_day_s_first_view(app, db):
    # Helsinki is UTC+2 in November: 21:59 UTC is still the 20th there, 22:01 UTC the 21st.
    with time_machine.travel(datetime(2026, 11, 20, 21, 0, tzinfo=UTC), tick=False):
        first = view_list(db, [3, 1, 2])
    with time_machine.travel(datetime(2026, 11, 20, 21, 59, tzinfo=UTC), tick=False):
        again = view_list(db, [1, 4])
    with time_machine.travel(datetime(2026, 11, 20, 22, 1, tzinfo=UTC), tick=False):
        next_day = view_list(db, [1])

    entries = db.scalars(select(AccessLogEntry).order_by(AccessLogEntry.seq)).all()
    assert [(entry.client_id, entry.client_ids) for entry in entries] == [
        (None, "3,1,2"),
        (None, "1,4"),
        (None, "1"),
    ]
    day, after = date(2026, 11, 20), date(2026, 11, 21)
    # The reload wrote no row for clients 1 (already seen that day); client 4 was new that day.
    assert list_views(db) == [
        (1, day, first),
        (2, day, first),
        (3, day, first),
        (4, day, again),
        (1, after, next_day),
    ]
    result = run_verify(app)
    assert result.exit_code == 0, result.output


def test_the_mac_covers_the_clients_a_list_named(app, db):
    write_entries(db, 1)
    seq = view_list(db, [5, 6])
    db.execute(text("UPDATE access_log SET client_ids = '5' WHERE seq = :seq"), {"seq": seq})
    db.commit()

    result = verify_chain(db, audit_key())

    assert (result.ok, result.first_bad_seq) == (False, seq)
    assert "changed" in (result.reason or "")


@pytest.mark.parametrize(
    ("tampering", "reason"),
    [
        ("DELETE FROM access_log_list_view WHERE client_id = 6", "removed list view row"),
        ("UPDATE access_log_list_view SET client_id = 9 WHERE client_id = 6", "inserted row"),
        ("UPDATE access_log_list_view SET seq = seq + 1 WHERE client_id = 5", "changed row"),
    ],
)
def test_the_rows_clients_find_list_views_by_are_checked_against_the_chain(app, db, tampering, reason):
    view_list(db, [5, 6])
    view_list(db, [5, 6])
    assert verify_chain(db, audit_key()).ok
    db.execute(text(tampering))
    db.commit()

    result = run_verify(app)

    assert result.exit_code == 1
    assert reason in result.output


def test_a_list_entry_needs_a_professional_and_each_client_once(db):
    with pytest.raises(ValueError, match="list"):
        view_list(db, [1, 1])
    with pytest.raises(ValueError, match="list"):
        view_list(db, [1], actor=Actor(id=None, role="system"))
    with pytest.raises(ValueError, match="list"):
        record_accesses(
            db, [{"actor": ADVISER, "action": "view", "object_type": "x", "client_id": 1, "client_ids": [1]}]
        )
    db.rollback()
    assert db.scalar(select(func.count()).select_from(AccessLogEntry)) == 0


def test_production_refuses_the_development_audit_key(app_config):
    production = {
        "ENV": "production",
        "DATABASE_URL": "postgresql+psycopg://polku@db.internal/polku",
        "SECRET_KEY": "x" * 48,
        "DEV_IDP_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
    }
    with pytest.raises(UnsafeConfiguration, match="AUDIT_HMAC_KEY"):
        create_app(production)
    with pytest.raises(UnsafeConfiguration, match="SMS_GATEWAY"):
        create_app({**production, "AUDIT_HMAC_KEY": "k" * 40})
    assert create_app({**app_config, "AUDIT_HMAC_KEY": "k" * 40}).config["AUDIT_HMAC_KEY"] == "k" * 40


def stored(db, seq):
    """An entry as the database keeps it: each value as the driver returns it, with SQL's own name
    of its type (typeof on SQLite, pg_typeof on PostgreSQL)."""
    columns = list(AccessLogEntry.__table__.c.keys())
    kind = "pg_typeof" if db.get_bind().dialect.name == "postgresql" else "typeof"
    shown = ", ".join(f"{name}, CAST({kind}({name}) AS TEXT)" for name in columns)
    row = db.execute(text(f"SELECT {shown} FROM access_log WHERE seq = :seq"), {"seq": seq}).one()  # noqa: S608
    return {name: (row[2 * index], row[2 * index + 1]) for index, name in enumerate(columns)}


def test_the_entries_written_on_the_driver_s_cursor_are_those_sqlalchemy_writes(app, db):
    """Entries are written and the chain head moved on the driver's cursor unless statements are
    listened to (see portal.services.reads.on_driver): the two ways store the same values."""
    written = {}
    for listened in (True, False):
        listener = count_queries(app) if listened else nullcontext()
        with (
            time_machine.travel(datetime(2026, 11, 20, 21, 59, 30, 123456, tzinfo=UTC), tick=False),
            listener,
        ):
            record_access(
                db, actor=ADVISER, action="view", object_type="client", client_id=42, ip="192.0.2.1"
            )
            seq = view_list(db, [100 + listened])
        written[listened] = (stored(db, seq - 1), stored(db, seq))
        (day,) = db.execute(text("SELECT day FROM access_log_list_view WHERE seq = :seq"), {"seq": seq}).one()
        written[listened] += (day,)

    def comparable(row):
        ignored = ("id", "seq", "mac", "prev_mac", "client_ids")
        return {name: value for name, value in row.items() if name not in ignored}

    by_sqlalchemy, on_driver = written[True], written[False]
    assert comparable(on_driver[0]) == comparable(by_sqlalchemy[0])
    assert comparable(on_driver[1]) == comparable(by_sqlalchemy[1])
    assert on_driver[2] == by_sqlalchemy[2]
    assert on_driver[0]["at"] == by_sqlalchemy[0]["at"]  # the time as SQLAlchemy's type keeps it
    assert verify_chain(db, audit_key()).ok


def test_a_write_the_database_refuses_fails_as_sqlalchemy_reports_it(app, db):
    """The unique seq is the last line of defence of the chain: a head that has fallen behind makes
    the next entry's insert fail, whichever way it ran, with SQLAlchemy's IntegrityError."""
    write_entries(db, 2)
    for listened in (False, True):
        db.execute(text("UPDATE audit_chain_head SET seq = 1"))
        db.commit()
        listener = count_queries(app) if listened else nullcontext()
        with listener, pytest.raises(exc.IntegrityError):
            record_access_now(db, actor=ADVISER, action="view", object_type="client", client_id=42)
        db.rollback()
    assert [entry.seq for entry in db.scalars(select(AccessLogEntry).order_by(AccessLogEntry.seq))] == [1, 2]
