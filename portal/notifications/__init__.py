"""Sending what the outbox holds: e-mail over SMTP, SMS through a pluggable gateway."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from portal.notifications.email import SmtpSender
from portal.notifications.render import Renderer
from portal.notifications.sms import Gateway, load_gateway


@dataclass
class Delivery:
    """Everything the outbox worker needs to turn a queued row into a sent message.

    One per worker thread: the SMTP sender keeps its connection open through a batch.
    """

    renderer: Renderer
    email: SmtpSender
    sms: Gateway
    max_attempts: int = 8


def delivery_from_config(config: Mapping[str, Any]) -> Delivery:
    return Delivery(
        renderer=Renderer(str(config["PUBLIC_BASE_URL"])),
        email=SmtpSender.from_config(config),
        sms=load_gateway(str(config["SMS_GATEWAY"]), config),
        max_attempts=int(config["OUTBOX_MAX_ATTEMPTS"]),
    )
