"""The seal on a consent signature: a compact JWS anyone can check against the portal's JWKS.

The evidence claims are the signature row itself. Verifying a code checks the seal's signature with
the public keys only, then that the row still says what the seal says (a changed row is caught even
if the database trigger was dropped), then whether the consent has expired or been revoked.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.i18n import HELSINKI
from portal.models import ConsentEvent, ConsentEventKind, ConsentSignature
from portal.models.base import utcnow

SEAL_TYPE = "polku-consent+jws"
# Crockford's base32: no I, L, O or U, so a code read aloud or typed from paper survives.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12  # 60 random bits
_TYPOS = str.maketrans({"O": "0", "I": "1", "L": "1"})
# Claims that describe where the seal was made rather than what was signed.
_CONTEXT_CLAIMS = ("iss",)


class InvalidSeal(Exception):
    """The seal's signature does not verify with the published keys, or it is not a seal at all."""


@dataclass(frozen=True)
class Verification:
    valid: bool
    # "valid", "unknown", "seal", "tampered", "expired" or "revoked"
    reason: str
    signature: ConsentSignature | None = None
    signed_on: date | None = None
    valid_until: date | None = None
    revoked_on: date | None = None


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(value: str) -> str:
    """What a person typed, in the stored form: upper case, no spaces or dashes, O read as 0."""
    return re.sub(r"[^0-9A-Z]", "", value.upper()).translate(_TYPOS)


def format_code(code: str) -> str:
    """In groups of four for reading and typing: ABCD-EFGH-JKMN."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def local_date(moment: datetime) -> date:
    return moment.astimezone(HELSINKI).date()


def end_of_day(day: date) -> datetime:
    """The first moment after the given Helsinki day."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=HELSINKI)


def evidence_claims(signature: ConsentSignature) -> dict[str, Any]:
    """Everything the evidence record holds, as the JSON the seal signs."""
    claims: dict[str, Any] = {
        "jti": signature.verification_code,
        "iat": int(signature.signed_at.timestamp()),
        "consent_request": signature.request_id,
        "template": signature.template_key,
        "template_version": signature.template_version,
        "lang": signature.locale,
        "text_sha256": signature.text_sha256,
        "choices": signature.choices,
        "signer_hetu_hmac": signature.signer_hetu_hmac,
        "idp": signature.provider,
        "acr": signature.acr,
        "amr": signature.amr,
        "auth_time": int(signature.auth_time.timestamp()),
        "idp_session": signature.idp_session,
        "signed_at": signature.signed_at.isoformat(timespec="microseconds"),
        "ip": signature.ip,
        "user_agent": signature.user_agent,
        "valid_from": local_date(signature.signed_at).isoformat(),
        "valid_until": signature.valid_until.isoformat() if signature.valid_until else None,
    }
    if signature.valid_until is not None:
        claims["exp"] = int(end_of_day(signature.valid_until).timestamp())
    return claims


def seal(claims: dict[str, Any], key: RSAKey, issuer: str) -> str:
    payload = json.dumps({"iss": issuer, **claims}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    header = {"alg": "RS256", "kid": key.kid, "typ": SEAL_TYPE}
    return jws.serialize_compact(header, payload.encode("utf-8"), key, algorithms=["RS256"])


def signing_keys(jwks: dict[str, Any]) -> KeySet:
    """Only the published signature keys: a seal "signed" with the encryption key is no seal."""
    return KeySet.import_key_set({"keys": [key for key in jwks.get("keys", []) if key.get("use") == "sig"]})


def open_seal(token: str, jwks: dict[str, Any]) -> dict[str, Any]:
    """The claims of a seal whose signature verifies with one of the published keys."""
    try:
        verified = jws.deserialize_compact(token.strip(), signing_keys(jwks), algorithms=["RS256"])
        if verified.headers().get("typ") != SEAL_TYPE:
            raise InvalidSeal("not a consent seal")
        claims = json.loads(verified.payload)
    except (JoseError, ValueError, UnicodeDecodeError) as error:
        raise InvalidSeal(str(error)) from error
    if not isinstance(claims, dict):
        raise InvalidSeal("the payload is not a set of claims")
    return claims


def verify_code(db: Session, code: str, jwks: dict[str, Any], *, now: datetime | None = None) -> Verification:
    """Is the consent behind this receipt code valid now? Only keys from the public JWKS are used."""
    normalised = normalise_code(code)
    if len(normalised) != CODE_LENGTH:
        return Verification(False, "unknown")
    signature = db.scalar(select(ConsentSignature).where(ConsentSignature.verification_code == normalised))
    if signature is None:
        return Verification(False, "unknown")
    return verify_signature(db, signature, jwks, now=now)


def verify_signature(
    db: Session, signature: ConsentSignature, jwks: dict[str, Any], *, now: datetime | None = None
) -> Verification:
    now = now or utcnow()
    dates = {"signed_on": local_date(signature.signed_at), "valid_until": signature.valid_until}
    try:
        claims = open_seal(signature.seal, jwks)
    except InvalidSeal:
        return Verification(False, "seal", signature, **dates)
    sealed = {name: value for name, value in claims.items() if name not in _CONTEXT_CLAIMS}
    if sealed != evidence_claims(signature):
        return Verification(False, "tampered", signature, **dates)
    revoked_at = db.scalar(
        select(ConsentEvent.at).where(
            ConsentEvent.request_id == signature.request_id, ConsentEvent.kind == ConsentEventKind.REVOKED
        )
    )
    if revoked_at is not None:
        return Verification(False, "revoked", signature, revoked_on=local_date(revoked_at), **dates)
    if "exp" in claims and now.timestamp() >= claims["exp"]:
        return Verification(False, "expired", signature, **dates)
    return Verification(True, "valid", signature, **dates)
