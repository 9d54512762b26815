"""Signing with an old identification: through the real development provider and back, choices kept."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime, timedelta

import requests
from sqlalchemy import select, update

from portal.models import AccessLogEntry, ConsentSignature, UserSession
from tests.integration.consent_helpers import issue, sign_form, signatures
from tests.integration.oidc_helpers import query, sign_in

MAIJA = "150385-9013"
CHECKED = re.compile(r'<input[^>]*value="provider_contact"[^>]*>')


def claims_of(request_object: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(request_object.split(".")[1] + "=="))


def test_signing_with_an_old_identification_steps_up_and_comes_back_with_the_choices(
    app, db, demo, live_server
):
    request_id = issue(app, db, demo["staff"], demo["client_fi"])
    base = live_server.url
    browser: requests.Session = sign_in(base, MAIJA).browser
    old = datetime.now(UTC) - timedelta(minutes=11)
    db.execute(update(UserSession).where(UserSession.client_id == demo["client_fi"].id).values(auth_time=old))
    db.commit()

    page = browser.get(f"{base}/consents/{request_id}").text
    choices = {**sign_form(page), "purposes": ["provider_contact"]}
    answer = browser.post(f"{base}/consents/{request_id}", data=choices, allow_redirects=False)
    assert answer.status_code == 307
    assert answer.headers["Location"] == "/sign-in/step-up"
    assert signatures(db, request_id) == 0

    # The browser repeats the POST at the step-up start, which sends it to the provider with prompt=login.
    to_provider = browser.post(f"{base}/sign-in/step-up", data=choices, allow_redirects=False)
    assert to_provider.status_code == 302
    request_object = query(to_provider.headers["Location"])["request"]
    assert claims_of(request_object)["prompt"] == "login"
    chooser = browser.get(to_provider.headers["Location"])
    assert chooser.status_code == 200
    assert "Maija Meikäläinen" in chooser.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', chooser.text).group(1)
    back = browser.post(
        f"{base}/dev-idp/ftn/authorize",
        data={"csrf_token": token, "request": request_object, "person": "client_fi", "level": "substantial"},
    )
    # Back on the same request, with the optional choice still ticked.
    assert back.url == f"{base}/consents/{request_id}"
    assert "Tunnistauduit uudelleen. Valintasi ovat tallessa" in back.text
    assert "checked" in CHECKED.search(back.text).group(0)
    assert signatures(db, request_id) == 0

    signed = browser.post(
        f"{base}/consents/{request_id}", data={**sign_form(back.text), "purposes": ["provider_contact"]}
    )
    assert signed.url == f"{base}/consents/{request_id}/signed"
    signature = db.scalars(select(ConsentSignature)).one()
    assert "provider_contact" in signature.choices["purposes"]
    assert signature.auth_time > old + timedelta(minutes=10)
    assert signature.acr == "http://ftn.ficora.fi/2017/loa2"
    assert signature.provider == "ftn"


def test_choosing_another_person_at_the_provider_signs_nothing_and_signs_out(app, db, demo, live_server):
    request_id = issue(app, db, demo["staff"], demo["client_fi"])
    base = live_server.url
    browser: requests.Session = sign_in(base, MAIJA).browser
    db.execute(
        update(UserSession)
        .where(UserSession.client_id == demo["client_fi"].id)
        .values(auth_time=datetime.now(UTC) - timedelta(hours=1))
    )
    db.commit()
    page = browser.get(f"{base}/consents/{request_id}").text
    at_provider = browser.post(f"{base}/consents/{request_id}", data=sign_form(page))
    token = re.search(r'name="csrf_token" value="([^"]+)"', at_provider.text).group(1)
    request_object = re.search(r'name="request" value="([^"]+)"', at_provider.text).group(1)
    landed = browser.post(
        f"{base}/dev-idp/ftn/authorize",
        data={"csrf_token": token, "request": request_object, "person": "client_sv", "level": "substantial"},
    )
    # Told so; neither Maija nor Anna-Lena is left signed in in this browser.
    assert landed.status_code == 403
    assert "Tunnistauduit toisena henkilönä" in landed.text
    assert "Mitään ei allekirjoitettu eikä tallennettu" in landed.text
    assert browser.get(f"{base}/home", allow_redirects=False).status_code == 302
    assert browser.get(f"{base}/consents/{request_id}", allow_redirects=False).status_code == 302
    assert signatures(db, request_id) == 0
    db.expire_all()
    assert db.scalars(select(UserSession).where(UserSession.client_id == demo["client_sv"].id)).all() == []
    refused = db.scalars(select(AccessLogEntry).where(AccessLogEntry.outcome == "denied")).one()
    assert (refused.client_id, refused.purpose) == (demo["client_fi"].id, "step-up identified another person")
