"""The seal on the evidence: valid, tampered, wrong key, expired, revoked; the pages, the command."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
import requests
import time_machine
from joserfc import jws
from joserfc.jwk import KeySet, RSAKey
from sqlalchemy import select

from portal.identity.keys import portal_keys
from portal.models import ConsentSignature
from portal.services import consent_seal
from portal.services.consent_seal import InvalidSeal, open_seal, verify_code, verify_signature
from tests.conftest import login_as, post_form
from tests.integration.consent_helpers import issue, sign


@pytest.fixture
def signed(app, db, demo):
    """A TYM consent Maija has signed; returns the evidence row."""
    request_id = issue(app, db, demo["staff"], demo["client_fi"])
    browser = app.test_client()
    login_as(app, browser, demo["client_fi"])
    assert sign(browser, request_id).status_code == 303
    return db.scalars(select(ConsentSignature)).one()


def jwks_of(app):
    with app.app_context():
        return portal_keys().public_jwks()


def reseal(token: str, change) -> str:
    """The same signature bytes over a changed payload: what a forger without the key can do."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    change(claims)
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def test_a_fresh_seal_is_valid_and_carries_the_evidence(app, db, signed):
    jwks = jwks_of(app)
    claims = open_seal(signed.seal, jwks)
    assert claims["text_sha256"] == signed.text_sha256
    assert claims["lang"] == "fi"
    assert claims["jti"] == signed.verification_code
    assert claims["signer_hetu_hmac"] == signed.signer_hetu_hmac
    assert claims["iss"] == app.config["PUBLIC_BASE_URL"]
    result = verify_code(db, signed.verification_code, jwks)
    assert (result.valid, result.reason) == (True, "valid")
    assert result.valid_until == signed.valid_until


def test_a_tampered_seal_is_invalid(app, db, signed):
    jwks = jwks_of(app)

    def other_language(claims):
        claims["lang"] = "sv"

    with pytest.raises(InvalidSeal):
        open_seal(reseal(signed.seal, other_language), jwks)
    db.expunge(signed)
    signed.seal = reseal(signed.seal, other_language)
    assert verify_signature(db, signed, jwks).reason == "seal"


def test_a_changed_evidence_row_no_longer_matches_its_seal(app, db, signed):
    db.expunge(signed)
    signed.choices = {**signed.choices, "purposes": [*signed.choices["purposes"], "provider_contact"]}
    result = verify_signature(db, signed, jwks_of(app))
    assert (result.valid, result.reason) == (False, "tampered")


def test_a_seal_made_with_another_key_is_invalid(app, db, signed):
    jwks = jwks_of(app)
    impostor = RSAKey.generate_key(2048, private=True, parameters={"kid": jwks["keys"][0]["kid"]})
    claims = consent_seal.evidence_claims(signed)
    with pytest.raises(InvalidSeal):
        open_seal(consent_seal.seal(claims, impostor, "https://polku.example"), jwks)
    stranger = RSAKey.generate_key(2048, private=True)
    stranger.ensure_kid()
    with pytest.raises(InvalidSeal):
        open_seal(consent_seal.seal(claims, stranger, "https://polku.example"), jwks)
    # The portal's own encryption key is published too, but it never makes a valid seal.
    with app.app_context():
        encryption = portal_keys().encryption
    misused = RSAKey.import_key(encryption.as_pem(private=True), {"kid": encryption.kid})
    with pytest.raises(InvalidSeal):
        open_seal(consent_seal.seal(claims, misused, "https://polku.example"), jwks)


def test_an_expired_consent_verifies_as_expired(app, db, signed):
    after = datetime.combine(signed.valid_until + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    result = verify_code(db, signed.verification_code, jwks_of(app), now=after)
    assert (result.valid, result.reason) == (False, "expired")
    last_day = datetime.combine(signed.valid_until, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
    assert verify_code(db, signed.verification_code, jwks_of(app), now=last_day).valid


def test_codes_are_typed_forgivingly_and_unknown_ones_are_invalid(app, db, signed):
    code = signed.verification_code
    typed = f" {code[:4].lower()} {code[4:8]}-{code[8:]} ".replace("0", "o")
    assert verify_code(db, typed, jwks_of(app)).valid
    assert verify_code(db, "ZZZZ-ZZZZ-ZZZZ", jwks_of(app)).reason == "unknown"
    assert verify_code(db, "short", jwks_of(app)).reason == "unknown"


def test_anyone_outside_the_portal_can_check_the_seal_with_the_published_keys(signed, live_server):
    published = requests.get(live_server.url + "/.well-known/jwks.json", timeout=10).json()
    verified = jws.deserialize_compact(signed.seal, KeySet.import_key_set(published), algorithms=["RS256"])
    assert verified.headers()["kid"] == signed.seal_kid
    assert json.loads(verified.payload)["text_sha256"] == signed.text_sha256


def test_the_public_page_shows_only_valid_or_not_and_the_dates(app, demo, signed):
    browser = app.test_client()
    response = post_form(browser, "/verify", {"code": signed.verification_code})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Voimassa" in page
    assert "Allekirjoitettu" in page
    for private in ("Maija", "Meikäläinen", "150385", signed.text_sha256, "Suostumus tietojen vaihtamiseen"):
        assert private not in page
    unknown = post_form(browser, "/verify", {"code": "zzzz zzzz zzzz"}).get_data(as_text=True)
    assert "Ei löytynyt" in unknown
    assert "Tarkistettu koodi: ZZZZ-ZZZZ-ZZZZ" in unknown, "the code as the receipt prints it"
    wrong = post_form(browser, "/verify", {"code": "abc"})
    assert wrong.status_code == 422
    assert "Tarkistuskoodissa on 12 kirjainta ja numeroa" in wrong.get_data(as_text=True)


def test_the_public_page_says_when_a_consent_was_revoked(app, demo, signed):
    browser = app.test_client()
    login_as(app, browser, demo["client_fi"])
    post_form(browser, f"/consents/{signed.request_id}/revoke", {})
    page = post_form(app.test_client(), "/verify", {"code": signed.verification_code}).get_data(as_text=True)
    assert "Ei voimassa" in page
    assert "Suostumus peruttiin" in page
    assert "Voimassa saakka" not in page, "the end date it was given no longer holds"
    assert '<dt class="summary-list__key">Peruttu</dt>' in page


def test_the_command_prints_the_result_and_fails_when_invalid(app, demo, signed):
    runner = app.test_cli_runner()
    valid = runner.invoke(args=["consent", "verify", signed.verification_code])
    assert valid.exit_code == 0, valid.output
    assert valid.output.startswith("valid")
    assert f"valid until: {signed.valid_until.isoformat()}" in valid.output
    by_seal = runner.invoke(args=["consent", "verify", signed.seal])
    assert by_seal.exit_code == 0, by_seal.output
    unknown = runner.invoke(args=["consent", "verify", "ZZZZZZZZZZZZ"])
    assert unknown.exit_code == 1
    assert unknown.output.startswith("invalid: unknown")
    forged = runner.invoke(args=["consent", "verify", reseal(signed.seal, lambda c: c.update(lang="sv"))])
    assert forged.exit_code == 1
    with time_machine.travel(
        datetime.combine(signed.valid_until + timedelta(days=2), datetime.min.time(), UTC)
    ):
        expired = runner.invoke(args=["consent", "verify", signed.verification_code])
    assert expired.exit_code == 1
    assert expired.output.startswith("invalid: expired")


def test_the_staff_page_shows_the_evidence(app, db, demo, signed):
    browser = app.test_client()
    login_as(app, browser, demo["staff"])
    page = post_form(browser, "/staff/consents/verify", {"code": signed.verification_code}).get_data(
        as_text=True
    )
    assert "Voimassa" in page
    assert signed.text_sha256 in page
    assert f'href="/staff/consents/requests/{signed.request_id}"' in page


@pytest.mark.parametrize("app_config", [{"RATELIMIT_CONSENT_VERIFY": "2 per minute"}], indirect=True)
def test_guessing_codes_on_the_public_page_is_rate_limited(app):
    browser = app.test_client()
    answers = [post_form(browser, "/verify", {"code": "ZZZZ-ZZZZ-ZZZZ"}).status_code for _ in range(3)]
    assert answers == [200, 200, 429]


def test_anyone_finds_the_verification_page_from_every_page(app):
    for address in ("/", "/accessibility", "/contact"):
        page = app.test_client().get(address).get_data(as_text=True)
        assert '<a href="/verify">Tarkista suostumuksen kuitti</a>' in page, address
