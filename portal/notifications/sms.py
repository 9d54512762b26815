"""SMS gateways: the interface the outbox worker uses, and a console gateway for development."""

from __future__ import annotations

import importlib
import logging
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Protocol, cast

from portal.models.base import utcnow

log = logging.getLogger("portal.sms")


class Gateway(Protocol):
    def send(self, number: str, text: str) -> None:
        """Hand one message to the operator; raise if it was not accepted."""


@dataclass(frozen=True)
class SentSms:
    number: str
    text: str
    at: datetime


class ConsoleGateway:
    """Sends nothing: logs the message and keeps the latest ones for the development outbox page."""

    sent: ClassVar[deque[SentSms]] = deque(maxlen=200)

    def __init__(self, config: Mapping[str, Any] | None = None) -> None:
        self.config = config

    def send(self, number: str, text: str) -> None:
        log.info("SMS to %s: %s", mask_number(number), text)
        self.sent.append(SentSms(number=number, text=text, at=utcnow()))


def mask_number(number: str) -> str:
    """Enough of the number to tell messages apart in a log, not enough to call anyone."""
    return number[:4] + "*" * max(len(number) - 6, 0) + number[-2:]


def load_gateway(path: str, config: Mapping[str, Any]) -> Gateway:
    """Build the gateway named "package.module:Factory"; the factory receives the app config."""
    module_name, _, attribute = path.partition(":")
    if not attribute:
        module_name, _, attribute = path.rpartition(".")
    factory = getattr(importlib.import_module(module_name), attribute)
    return cast(Gateway, factory(config))
