"""The outbox: queued with the change, sent exactly once through a real SMTP server that comes and goes."""

import itertools
import socket
import threading
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from portal.models import OutboxMessage
from portal.models.base import utcnow
from portal.notifications import delivery_from_config
from portal.notifications.sms import ConsoleGateway
from portal.services.outbox import SendCounts, claim_due, enqueue, send_due

STARTS_AT = "2026-11-28T12:30:00+00:00"

pytestmark = pytest.mark.usefixtures("app_context")


class Mailbox:
    """An aiosmtpd handler that keeps what it receives, and can refuse for a while."""

    def __init__(self):
        self.messages = []
        self.refusing = False
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if self.refusing:
            return "451 4.3.0 Try again later"
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append((envelope.rcpt_tos, message))
        return "250 OK"

    def message_ids(self):
        return [message["Message-ID"] for _, message in self.messages]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    """A real SMTP server on loopback that can be stopped and started again on the same port."""

    def __init__(self, mailbox, port):
        self.mailbox, self.port, self.controller = mailbox, port, None

    def start(self):
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def mailbox():
    return Mailbox()


@pytest.fixture
def smtp(app, mailbox):
    server = SmtpServer(mailbox, free_port())
    app.config.update(SMTP_PORT=server.port, SMTP_TIMEOUT=5)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def sessions(app):
    return app.extensions["polku.sessionmaker"]


def queue(db, count, *, prefix="booking", channel="email", **overrides):
    for number in range(count):
        recipient = f"asiakas{number}@example.fi" if channel == "email" else f"+35840123{number:04d}"
        enqueue(
            db,
            channel=channel,
            recipient=recipient,
            template_key=overrides.get("template_key", "booking_confirmed"),
            locale=overrides.get("locale", "fi"),
            params={"path": f"/booking/{number}", "starts_at": STARTS_AT},
            idempotency_key=f"{prefix}:{number}:confirmed",
            client_id=number,
            due_at=overrides.get("due_at"),
        )
    db.commit()


def rows(db):
    db.expire_all()
    return db.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_the_same_idempotency_key_queues_one_message(db):
    first = enqueue(
        db,
        channel="email",
        recipient="asiakas@example.fi",
        template_key="consent_requested",
        locale="sv",
        params={"path": "/consents/5"},
        idempotency_key="consent:5:requested",
    )
    db.commit()
    replay = enqueue(
        db,
        channel="email",
        recipient="asiakas@example.fi",
        template_key="consent_requested",
        locale="sv",
        params={"path": "/consents/5"},
        idempotency_key="consent:5:requested",
    )
    db.commit()

    assert first is not None
    assert first.status == "pending"
    assert replay is None
    assert db.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_enqueue_leaves_the_commit_to_the_caller(db):
    enqueue(
        db,
        channel="sms",
        recipient="+358401234567",
        template_key="pathway_updated",
        locale="fi",
        params={"path": "/pathway"},
        idempotency_key="pathway:1:updated",
    )
    db.rollback()

    assert rows(db) == []


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"params": {"path": "/clients/131052-308T"}}, "identity code"),
        ({"params": {"path": "https://elsewhere.example/"}}, "path"),
        ({"params": {"path": "//elsewhere.example/"}}, "path"),
        ({"params": {"path": "/x", "answers": ["a"]}}, "answers"),
        ({"template_key": "booking_confirmed"}, "starts_at"),
        ({"template_key": "newsletter"}, "unknown message"),
        ({"recipient": "not-an-address"}, "recipient"),
        ({"channel": "sms"}, "recipient"),
        ({"locale": "en"}, "template"),
    ],
)
def test_enqueue_refuses_what_could_leak_or_never_be_sent(db, changes, complaint):
    message = {
        "channel": "email",
        "recipient": "asiakas@example.fi",
        "template_key": "questionnaire_assigned",
        "locale": "fi",
        "params": {"path": "/questionnaires/3"},
        "idempotency_key": "questionnaire:3:assigned",
    }
    with pytest.raises(LookupError if complaint == "template" else ValueError, match=complaint):
        enqueue(db, **{**message, **changes})


def test_messages_wait_while_smtp_is_down_and_go_out_once_when_it_is_back(app, db, sessions, smtp, mailbox):
    smtp.stop()
    queue(db, 3)
    start = utcnow()
    delivery = delivery_from_config(app.config)

    down = send_due(sessions, "worker-1", delivery, now=start)

    assert down == SendCounts(claimed=3, sent=0, retried=3, failed=0)
    for row in rows(db):
        assert (row.status, row.attempts) == ("pending", 1)
        assert row.due_at > start
        assert row.last_error.startswith("MailServerUnavailable")
        assert "@" not in row.last_error
    assert send_due(sessions, "worker-1", delivery, now=start + timedelta(seconds=30)).claimed == 0

    smtp.start()
    back = send_due(sessions, "worker-1", delivery, now=start + timedelta(minutes=2))

    assert back == SendCounts(claimed=3, sent=3, retried=0, failed=0)
    assert len(mailbox.messages) == 3
    assert len(set(mailbox.message_ids())) == 3
    assert sorted(to for recipients, _ in mailbox.messages for to in recipients) == [
        "asiakas0@example.fi",
        "asiakas1@example.fi",
        "asiakas2@example.fi",
    ]
    assert all(row.status == "sent" and row.sent_at is not None for row in rows(db))

    later = send_due(sessions, "worker-1", delivery, now=start + timedelta(days=1))

    assert later.claimed == 0
    assert len(mailbox.messages) == 3


def test_a_refusing_server_gets_the_message_later_exactly_once(app, db, sessions, smtp, mailbox):
    mailbox.refusing = True
    queue(db, 2)
    start = utcnow()
    delivery = delivery_from_config(app.config)

    refused = send_due(sessions, "worker-1", delivery, now=start)

    assert refused.retried == 2
    assert {row.last_error for row in rows(db)} == {"SMTPDataError 451"}
    mailbox.refusing = False
    assert send_due(sessions, "worker-1", delivery, now=start + timedelta(minutes=5)).sent == 2
    assert send_due(sessions, "worker-1", delivery, now=start + timedelta(days=1)).claimed == 0
    assert len(mailbox.messages) == 2


def test_the_email_is_plain_text_and_html_in_the_clients_language(app, db, sessions, smtp, mailbox):
    app.config["PUBLIC_BASE_URL"] = "https://polku.example/"
    queue(db, 1, template_key="booking_reminder", locale="sv")

    send_due(sessions, "worker-1", delivery_from_config(app.config))

    (_, message) = mailbox.messages[0]
    assert message["Content-Language"] == "sv"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Subject"] == "Påminnelse om din bokade tid"
    assert message["From"] == "Polku <no-reply@polku.example>"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for part in (text, html):
        assert "https://polku.example/booking/0" in part
        assert "lördag 28.11.2026 kl. 14.30" in part
        assert "automatiskt" in part
    assert '<html lang="sv">' in html


def test_two_workers_at_once_never_send_the_same_message(app, db, sessions, smtp, mailbox):
    queue(db, 50)
    delivery_config = dict(app.config)
    start = threading.Barrier(2)
    totals, errors = [], []

    def work(worker_id):
        delivery = delivery_from_config(delivery_config)
        try:
            start.wait(timeout=10)
            while (counts := send_due(sessions, worker_id, delivery, limit=4)).claimed:
                totals.append((worker_id, counts.sent))
        except Exception as error:  # reported below; a thread cannot fail the test itself
            errors.append(error)

    workers = [threading.Thread(target=work, args=(f"worker-{n}",)) for n in (1, 2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)

    assert errors == []
    assert sum(sent for _, sent in totals) == 50
    assert len(mailbox.messages) == 50
    assert len(set(mailbox.message_ids())) == 50
    assert {row.status for row in rows(db)} == {"sent"}


def test_a_message_held_by_a_dead_worker_is_taken_over_after_the_lease(app, db, sessions, smtp, mailbox):
    queue(db, 1)
    start = utcnow()
    delivery = delivery_from_config(app.config)
    with sessions() as worker_that_dies:
        assert len(claim_due(worker_that_dies, "worker-dead", 10, now=start)) == 1

    assert send_due(sessions, "worker-2", delivery, now=start + timedelta(minutes=5)).claimed == 0
    taken_over = send_due(sessions, "worker-2", delivery, now=start + timedelta(minutes=11))

    assert taken_over.sent == 1
    (row,) = rows(db)
    assert (row.status, row.attempts) == ("sent", 2)
    assert row.claimed_by.startswith("worker-2/")
    assert len(mailbox.messages) == 1


def test_a_message_fails_for_good_after_the_last_attempt(app, db, sessions, smtp, mailbox):
    app.config["OUTBOX_MAX_ATTEMPTS"] = "3"  # as it arrives from PORTAL_OUTBOX_MAX_ATTEMPTS
    smtp.stop()
    start = utcnow()
    queue(db, 1)
    delivery = delivery_from_config(app.config)

    waits = []
    for _ in range(3):
        (row,) = rows(db)
        waits.append(row.due_at)
        send_due(sessions, "worker-1", delivery, now=row.due_at)

    (row,) = rows(db)
    assert (row.status, row.attempts) == ("failed", 3)
    assert [later - earlier for earlier, later in itertools.pairwise(waits)] == [
        timedelta(minutes=1),
        timedelta(minutes=2),
    ]
    smtp.start()
    assert send_due(sessions, "worker-1", delivery, now=start + timedelta(days=2)).claimed == 0
    assert mailbox.messages == []


def test_sms_goes_through_the_configured_gateway(app, db, sessions, caplog):
    ConsoleGateway.sent.clear()
    app.config["PUBLIC_BASE_URL"] = "https://polku.example"
    queue(db, 1, channel="sms", template_key="booking_moved")

    with caplog.at_level("INFO", logger="portal.sms"):
        counts = send_due(sessions, "worker-1", delivery_from_config(app.config))

    assert counts.sent == 1
    (sms,) = ConsoleGateway.sent
    assert sms.number == "+358401230000"
    assert sms.text.startswith("Varaamasi aika on siirretty. Uusi aika: 28.11.2026 klo 14.30.")
    assert "https://polku.example/booking/0" in sms.text
    assert "+358401230000" not in caplog.text


def test_outbox_send_command_sends_what_is_due(app, db, smtp, mailbox):
    queue(db, 2, template_key="booking_cancelled")

    result = app.test_cli_runner().invoke(args=["outbox", "send", "--worker-id", "cli-test"])

    assert result.exit_code == 0, result.output
    assert "2 sent" in result.output
    assert len(mailbox.messages) == 2
    assert all(row.claimed_by.startswith("cli-test/") for row in rows(db))
