"""A development identity provider that speaks real OIDC: discovery, JWKS, signed request objects,
private_key_jwt, signed and encrypted ID tokens, end-session. It refuses to run in production."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import requests
from flask import Blueprint, Flask, abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import force_locale
from joserfc import jwe, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, OctKey, RSAKey
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from portal.db import get_db
from portal.demo import demo_people
from portal.extensions import csrf
from portal.identity.access import public
from portal.identity.keys import development_key
from portal.identity.providers import LOA_HIGH, LOA_SUBSTANTIAL
from portal.models import SingleUseToken
from portal.models.base import utcnow

bp = Blueprint("devidp", __name__, url_prefix="/dev-idp/<tenant>")
TENANTS = ("ftn", "org")
CODE_LIFETIME = 60
MAX_ASSERTION_LIFETIME = 300
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
GROUPS = {"adviser": "polku-advisers", "staff": "polku-staff", "admin": "polku-admins"}


class DevIdpRefused(RuntimeError):
    """Raised at start-up when production would expose the development provider."""


@dataclass(frozen=True)
class RegisteredClient:
    client_id: str
    tenant: str
    redirect_uris: tuple[str, ...]
    post_logout_redirect_uris: tuple[str, ...]
    jwks_uri: str
    encrypt_id_token: bool


def registered_clients() -> dict[str, RegisteredClient]:
    """The portal's own two clients, registered statically as the FTN profile requires."""
    jwks_uri = url_for("identity.jwks", _external=True)
    signed_out = (url_for("auth.signed_out", _external=True),)
    return {
        "polku-dev-client": RegisteredClient(
            "polku-dev-client",
            "ftn",
            (url_for("auth.callback", provider_name="ftn", _external=True),),
            signed_out,
            jwks_uri,
            True,
        ),
        "polku-dev-staff": RegisteredClient(
            "polku-dev-staff",
            "org",
            (url_for("auth.callback", provider_name="staff", _external=True),),
            signed_out,
            jwks_uri,
            False,
        ),
    }


def init_app(app: Flask) -> None:
    if not app.config["DEV_IDP_ENABLED"]:
        return
    if app.config["ENV"] == "production":
        raise DevIdpRefused("the development identity provider never runs in production")
    app.extensions["polku.devidp_keys"] = {
        tenant: development_key(app, f"dev-idp-{tenant}", "sig", "RS256") for tenant in TENANTS
    }
    csrf.exempt(token)
    app.register_blueprint(bp)


@bp.url_value_preprocessor
def _check_tenant(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    if not values or values.get("tenant") not in TENANTS:
        abort(404)


def issuer(tenant: str) -> str:
    return url_for("devidp.discovery", tenant=tenant, _external=True).removesuffix(
        "/.well-known/openid-configuration"
    )


def signing_key(tenant: str) -> RSAKey:
    key: RSAKey = current_app.extensions["polku.devidp_keys"][tenant]
    return key


@bp.get("/.well-known/openid-configuration")
@public
def discovery(tenant: str) -> Response:
    return jsonify(
        issuer=issuer(tenant),
        authorization_endpoint=url_for("devidp.authorize", tenant=tenant, _external=True),
        token_endpoint=url_for("devidp.token", tenant=tenant, _external=True),
        jwks_uri=url_for("devidp.jwks", tenant=tenant, _external=True),
        end_session_endpoint=url_for("devidp.end_session", tenant=tenant, _external=True),
        response_types_supported=["code"],
        subject_types_supported=["public"],
        id_token_signing_alg_values_supported=["RS256"],
        id_token_encryption_alg_values_supported=["RSA-OAEP"],
        id_token_encryption_enc_values_supported=["A128CBC-HS256"],
        request_object_signing_alg_values_supported=["RS256"],
        token_endpoint_auth_methods_supported=["private_key_jwt"],
        code_challenge_methods_supported=["S256"],
        acr_values_supported=[LOA_SUBSTANTIAL, LOA_HIGH] if tenant == "ftn" else [],
        ui_locales_supported=["fi", "sv"],
        request_parameter_supported=True,
    )


@bp.get("/jwks")
@public
def jwks(tenant: str) -> Response:
    return jsonify(keys=[signing_key(tenant).as_dict(private=False)])


def _client_keys(client: RegisteredClient) -> KeySet:
    response = requests.get(client.jwks_uri, timeout=10)
    response.raise_for_status()
    return KeySet.import_key_set(response.json())


def _read_request_object(tenant: str, raw: str | None) -> tuple[RegisteredClient, dict[str, Any]]:
    """Verify the signed request object against the client's published keys."""
    if not raw:
        abort(400)
    try:
        unverified = json.loads(base64.urlsafe_b64decode(raw.split(".")[1] + "=="))
        client = registered_clients()[unverified["iss"]]
        claims = dict(jwt.decode(raw, _client_keys(client), algorithms=["RS256"]).claims)
        jwt.JWTClaimsRegistry(
            leeway=30, exp={"essential": True}, aud={"essential": True, "value": issuer(tenant)}
        ).validate(claims)
    except (KeyError, ValueError, IndexError, JoseError, requests.RequestException):
        abort(400)
    if (
        client.tenant != tenant
        or claims.get("client_id") != client.client_id
        or claims.get("redirect_uri") not in client.redirect_uris
        or claims.get("response_type") != "code"
        or claims.get("code_challenge_method") != "S256"
        or not claims.get("code_challenge")
        or not claims.get("nonce")
    ):
        abort(400)
    return client, claims


def people(tenant: str) -> list[dict[str, Any]]:
    return demo_people()["client" if tenant == "ftn" else "staff"]


def _person_by_hint(tenant: str, hint: str | None) -> dict[str, Any] | None:
    if not hint:
        return None
    field = "hetu" if tenant == "ftn" else "email"
    return next((p for p in people(tenant) if p[field].lower() == hint.strip().lower()), None)


@bp.route("/authorize", methods=["GET", "POST"])
@public
def authorize(tenant: str) -> Response | str:
    source = request.form if request.method == "POST" else request.args
    client, claims = _read_request_object(tenant, source.get("request"))
    locale = (claims.get("ui_locales") or "fi").split()[0]
    locale = locale if locale in ("fi", "sv") else "fi"
    if request.method == "POST":
        if "cancel" in request.form:
            return _back_to_client(claims, {"error": "access_denied"})
        person = next((p for p in people(tenant) if p["key"] == request.form.get("person")), None)
        acr = LOA_HIGH if request.form.get("level") == "high" else LOA_SUBSTANTIAL
        if person is not None:
            return _back_to_client(claims, {"code": _issue_code(tenant, client, claims, person, acr)})
    else:
        hinted = _person_by_hint(tenant, claims.get("login_hint"))
        if hinted is not None:
            code = _issue_code(tenant, client, claims, hinted, _requested_acr(claims))
            return _back_to_client(claims, {"code": code})
    with force_locale(locale):
        return render_template(
            "devidp/authorize.html", tenant=tenant, people=people(tenant), request_object=source["request"]
        )


def _requested_acr(claims: dict[str, Any]) -> str:
    return LOA_HIGH if LOA_HIGH in str(claims.get("acr_values", "")) else LOA_SUBSTANTIAL


def _back_to_client(claims: dict[str, Any], params: dict[str, str]) -> Response:
    return redirect(f"{claims['redirect_uri']}?{urlencode({**params, 'state': claims.get('state', '')})}")


def _issue_code(
    tenant: str, client: RegisteredClient, claims: dict[str, Any], person: dict[str, Any], acr: str
) -> str:
    """A code sealed to the provider itself: no server state, so any worker can redeem it once."""
    content = {
        "jti": secrets.token_urlsafe(16),
        "exp": int(time.time()) + CODE_LIFETIME,
        "client_id": client.client_id,
        "redirect_uri": claims["redirect_uri"],
        "nonce": claims["nonce"],
        "code_challenge": claims["code_challenge"],
        "person": person["key"],
        "acr": acr,
        "auth_time": int(time.time()),
    }
    return jwe.encrypt_compact({"alg": "dir", "enc": "A256GCM"}, json.dumps(content), _code_key(tenant))


def _code_key(tenant: str) -> OctKey:
    secret = f"{current_app.config['SECRET_KEY']}:dev-idp-code:{tenant}".encode()
    return OctKey.import_key(hashlib.sha256(secret).digest())


def _use_once(key: str, lifetime: int) -> bool:
    db = get_db()
    db.add(SingleUseToken(key=key, expires_at=utcnow() + timedelta(seconds=lifetime)))
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        return False
    return True


def _token_error(error: str, status: int = 400) -> tuple[Response, int]:
    return jsonify(error=error), status


@bp.post("/token")
@public
def token(tenant: str) -> Response | tuple[Response, int]:
    form = request.form
    if form.get("grant_type") != "authorization_code" or form.get("client_assertion_type") != ASSERTION_TYPE:
        return _token_error("invalid_request")
    client = _authenticate_client(tenant, form.get("client_assertion", ""))
    if client is None:
        return _token_error("invalid_client", 401)
    try:
        sealed = jwe.decrypt_compact(form.get("code", ""), _code_key(tenant), algorithms=["dir", "A256GCM"])
        plaintext = sealed.plaintext or b"{}"
        code = json.loads(plaintext)
    except (JoseError, ValueError):
        return _token_error("invalid_grant")
    verifier = form.get("code_verifier", "")
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    if (
        code.get("exp", 0) < time.time()
        or code.get("client_id") != client.client_id
        or code.get("redirect_uri") != form.get("redirect_uri")
        or not hmac.compare_digest(challenge, str(code.get("code_challenge", "")))
        or not _use_once(f"devidp-code:{code['jti']}", CODE_LIFETIME * 2)
    ):
        return _token_error("invalid_grant")
    person = next(p for p in people(tenant) if p["key"] == code["person"])
    id_token = _id_token(tenant, client, code, person)
    return jsonify(
        access_token=secrets.token_urlsafe(24),
        token_type="Bearer",  # noqa: S106 - the OAuth token type, not a secret
        expires_in=600,
        id_token=id_token,
    )


def _authenticate_client(tenant: str, assertion: str) -> RegisteredClient | None:
    """private_key_jwt: signed by the client's key, for this endpoint, short-lived, used once."""
    try:
        unverified = json.loads(base64.urlsafe_b64decode(assertion.split(".")[1] + "=="))
        client = registered_clients()[unverified["iss"]]
        claims = jwt.decode(assertion, _client_keys(client), algorithms=["RS256"]).claims
        jwt.JWTClaimsRegistry(leeway=30, exp={"essential": True}).validate(claims)
    except (KeyError, ValueError, IndexError, JoseError, requests.RequestException):
        return None
    endpoint = url_for("devidp.token", tenant=tenant, _external=True)
    if (
        client.tenant != tenant
        or claims.get("sub") != client.client_id
        or claims.get("aud") not in (endpoint, [endpoint], issuer(tenant))
        or int(claims["exp"]) - time.time() > MAX_ASSERTION_LIFETIME
        or not claims.get("jti")
        or not _use_once(f"devidp-assertion:{claims['jti']}", MAX_ASSERTION_LIFETIME * 2)
    ):
        return None
    return client


def _id_token(tenant: str, client: RegisteredClient, code: dict[str, Any], person: dict[str, Any]) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": issuer(tenant),
        "aud": client.client_id,
        "iat": now,
        "exp": now + 600,
        "nonce": code["nonce"],
        "auth_time": code["auth_time"],
        "sid": secrets.token_urlsafe(12),
    }
    if tenant == "ftn":
        given, _, family = person["name"].rpartition(" ")
        claims.update(
            {
                "sub": secrets.token_urlsafe(16),  # transient, as FTN brokers make it
                "acr": code["acr"],
                "amr": ["urn:polku:dev-idp:test-bank"],
                "urn:oid:1.2.246.21": person["hetu"],
                "urn:oid:1.2.246.575.1.14": given,
                "urn:oid:2.5.4.4": family,
                "urn:oid:2.16.840.1.113730.3.1.241": person["name"],
            }
        )
    else:
        claims.update(
            {
                "sub": str(uuid.uuid5(uuid.NAMESPACE_URL, person["email"])),
                "oid": str(uuid.uuid5(uuid.NAMESPACE_URL, person["email"])),
                "email": person["email"],
                "name": person["name"],
                "groups": [GROUPS[role] for role in person.get("roles", [])],
            }
        )
    header: dict[str, Any] = {"alg": "RS256", "kid": signing_key(tenant).kid, "typ": "JWT"}
    encrypt = client.encrypt_id_token
    mischief = current_app.config.get("DEV_IDP_MISCHIEF") if current_app.config["TESTING"] else None
    if mischief:
        from portal.identity.devidp_mischief import misbehave

        return misbehave(
            mischief, header, claims, signing_key(tenant), _client_encryption_key(client), encrypt
        )
    signed = jwt.encode(header, claims, signing_key(tenant))
    if not encrypt:
        return signed
    return jwe.encrypt_compact(
        {"alg": "RSA-OAEP", "enc": "A128CBC-HS256", "cty": "JWT"}, signed, _client_encryption_key(client)
    )


def _client_encryption_key(client: RegisteredClient) -> RSAKey:
    keys = _client_keys(client)
    for key in keys.keys:
        if key.as_dict(private=False).get("use") == "enc" and isinstance(key, RSAKey):
            return key
    raise LookupError("the client publishes no encryption key")


@bp.get("/end-session")
@public
def end_session(tenant: str) -> Response:
    """RP-initiated logout: return only to a registered address."""
    target = request.args.get("post_logout_redirect_uri", "")
    allowed = {uri for client in registered_clients().values() for uri in client.post_logout_redirect_uris}
    if target not in allowed:
        abort(400)
    state = request.args.get("state")
    return redirect(f"{target}?{urlencode({'state': state})}" if state else target)
