"""Flask command for the outbox worker: send what is due, once or in a loop."""

from __future__ import annotations

import os
import signal
import socket
import threading
from types import FrameType

import click
from flask import current_app

from portal.notifications import delivery_from_config
from portal.services.outbox import send_due


@click.group("outbox", help="The notifications outbox.")
def outbox_group() -> None:
    pass


@outbox_group.command("send", help="Send the messages that are due.")
@click.option("--loop", is_flag=True, help="Keep sending until stopped (SIGTERM or Ctrl-C).")
@click.option("--interval", default=10.0, show_default=True, help="Seconds to wait when nothing is due.")
@click.option("--limit", default=50, show_default=True, help="Messages claimed at a time.")
@click.option("--worker-id", default=None, help="Name in claimed_by; host and process id by default.")
def send(loop: bool, interval: float, limit: int, worker_id: str | None) -> None:
    worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}"
    delivery = delivery_from_config(current_app.config)
    session_factory = current_app.extensions["polku.sessionmaker"]
    stopping = threading.Event()
    if loop and threading.current_thread() is threading.main_thread():
        # Finish the batch in hand; a row left in "sending" would wait out its lease.
        def stop(_signum: int, _frame: FrameType | None) -> None:
            stopping.set()

        signal.signal(signal.SIGTERM, stop)
    try:
        while True:
            counts = send_due(session_factory, worker_id, delivery, limit=limit)
            if counts.claimed or not loop:
                click.echo(f"Outbox: {counts.sent} sent, {counts.retried} to retry, {counts.failed} failed.")
            # A full batch suggests more is waiting; otherwise rest before asking again.
            if not loop or stopping.wait(0 if counts.claimed >= limit else interval):
                break
    except KeyboardInterrupt:
        click.echo("Outbox worker stopped.")
