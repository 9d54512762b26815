"""Plain factory functions for tests: valid test-range personal identity codes and clients."""

from __future__ import annotations

import itertools

from flask import Flask
from sqlalchemy.orm import Session

from portal.identity import hetu
from portal.models import Client

CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"
_serial = itertools.count()


def fake_hetu(n: int | None = None) -> str:
    """A valid personal identity code in the 900–999 test range; a different one each call."""
    n = next(_serial) if n is None else n
    day, month, year = 1 + n % 28, 1 + (n // 28) % 12, 50 + (n // 336) % 50
    individual = 900 + (n // 16800) % 100
    digits = f"{day:02d}{month:02d}{year:02d}{individual:03d}"
    return f"{digits[:6]}-{digits[6:]}{CHECK[int(digits) % 31]}"


def make_client(app: Flask, db: Session, **fields: object) -> Client:
    code = fake_hetu()
    with app.app_context():
        client = Client(hetu_hash=hetu.lookup(code), hetu_encrypted=hetu.encrypt(code), **fields)
        db.add(client)
        db.commit()
    return client
