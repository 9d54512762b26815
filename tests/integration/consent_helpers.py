"""Plain factory functions for the consent tests: assign, issue through the service, sign over HTTP."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import Client, ConsentRequest, ConsentSignature, StaffUser
from portal.services import clients as client_service
from portal.services import consent as consent_service
from portal.services.audit import Actor
from portal.services.consent_status import today
from tests.conftest import csrf_token_from

HIDDEN = re.compile(r'name="(text_locale|text_sha256)" type="hidden" value="([^"]*)"')
CONSENT_TEXT = re.compile(r'<div class="consent-text" id="consent-text">(.*?)</div>', re.S)
TAG = re.compile(r"<[^>]+>")
TYM = "tym_data_exchange"


def actor_of(staff: StaffUser) -> Actor:
    return Actor(id=staff.id, role=staff.role, org=staff.organisation)


def assign(app: Flask, db: Session, staff: StaffUser, client: Client) -> None:
    with app.app_context():
        client_service.assign(db, actor_of(staff), client, staff, responsibility=staff.role)


def issue(
    app: Flask,
    db: Session,
    staff: StaffUser,
    client: Client,
    *,
    template_key: str = TYM,
    due_on: date | None = None,
    message: str | None = None,
) -> int:
    """A request issued by `staff`, who is assigned to the client first; returns its id."""
    assign(app, db, staff, client)
    with app.app_context():
        request = consent_service.issue(
            db,
            actor_of(staff),
            staff,
            client,
            template_key=template_key,
            message=message,
            due_on=due_on or today() + timedelta(days=14),
        )
        return request.id


def sign_form(page: str) -> dict[str, Any]:
    """What the request page's form carries: the CSRF token, the text's language and its hash."""
    return {"csrf_token": csrf_token_from(page), **dict(HIDDEN.findall(page))}


def sign(
    browser: FlaskClient, request_id: int, *, purposes: tuple[str, ...] = (), categories: tuple[str, ...] = ()
) -> Any:
    page = browser.get(f"/consents/{request_id}").get_data(as_text=True)
    data = {**sign_form(page), "purposes": list(purposes), "categories": list(categories)}
    return browser.post(f"/consents/{request_id}", data=data)


def shown_text(page: str) -> str:
    """The words of the full consent text exactly as the page shows them, markup taken away."""
    match = CONSENT_TEXT.search(page)
    assert match, "the page shows no consent text"
    return unescape(TAG.sub(" ", match.group(1)))


def words(text: str) -> list[str]:
    """Words in order, Markdown marks and layout ignored: what a reader reads."""
    return re.sub(r"(?m)^(#+ |- )", "", text).split()


def count(db: Session, model: Any, *where: Any) -> int:
    db.expire_all()
    return int(db.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def signatures(db: Session, request_id: int) -> int:
    return count(db, ConsentSignature, ConsentSignature.request_id == request_id)


def request_row(db: Session, request_id: int) -> ConsentRequest:
    db.expire_all()
    found = db.get(ConsentRequest, request_id)
    assert found is not None
    return found
