"""The OpenID Connect relying party: signed request objects, PKCE, private_key_jwt, JWE ID tokens."""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwe, jwt
from joserfc.errors import InvalidKeyIdError, JoseError

from portal.identity.keys import PortalKeys
from portal.identity.providers import ACR_RANK, MetadataCache, Provider, ProviderUnavailable

ASSERTION_LIFETIME = 120  # seconds; the profile allows at most five minutes
REQUEST_OBJECT_LIFETIME = 300
PENDING_LIFETIME = 900  # a sign-in left open longer than this must start again
LEEWAY = 60
SIGNATURE_ALGORITHMS = ["RS256", "PS256", "ES256"]
ENCRYPTION_ALGORITHMS = ["RSA-OAEP", "RSA-OAEP-256", "A128CBC-HS256", "A256CBC-HS512", "A128GCM", "A256GCM"]


class SignInFailed(Exception):
    """The provider's answer could not be trusted; `reason` goes to the log, never to the page."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SignInCancelled(SignInFailed):
    """The person chose to cancel at the provider."""


@dataclass(frozen=True)
class VerifiedSignIn:
    provider: str
    claims: dict[str, Any]
    acr: str | None
    amr: str | None
    auth_time: datetime
    idp_session: str | None
    id_token: str


class JoseAssertion(PrivateKeyJWT):
    """private_key_jwt with a short lifetime, a unique jti and the key id in the header."""

    def __init__(self, keys: PortalKeys, token_endpoint: str) -> None:
        super().__init__(token_endpoint=token_endpoint, alg="RS256")
        self.keys = keys

    def sign(self, auth: Any, token_endpoint: str) -> str:
        now = int(time.time())
        claims = {
            "iss": auth.client_id,
            "sub": auth.client_id,
            "aud": token_endpoint,
            "jti": secrets.token_urlsafe(24),
            "iat": now,
            "exp": now + ASSERTION_LIFETIME,
        }
        header = {"alg": "RS256", "kid": self.keys.signing.kid, "typ": "JWT"}
        return jwt.encode(header, claims, self.keys.signing)


def begin(
    provider: Provider,
    cache: MetadataCache,
    keys: PortalKeys,
    *,
    redirect_uri: str,
    locale: str,
    prompt: str | None = None,
    max_age: int | None = None,
    login_hint: str | None = None,
) -> tuple[str, dict[str, Any]]:
    """The authorisation URL to send the browser to, and what to remember until the callback."""
    metadata = cache.metadata(provider)
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    code_verifier = secrets.token_urlsafe(64)
    now = int(time.time())
    request_claims: dict[str, Any] = {
        "iss": provider.client_id,
        "aud": metadata["issuer"],
        "client_id": provider.client_id,
        "response_type": "code",
        "scope": provider.scope,
        "redirect_uri": redirect_uri,
        "state": state,
        "nonce": nonce,
        "code_challenge": create_s256_code_challenge(code_verifier),
        "code_challenge_method": "S256",
        "ui_locales": locale,
        "jti": secrets.token_urlsafe(16),
        "iat": now,
        "exp": now + REQUEST_OBJECT_LIFETIME,
    }
    if provider.acr_values:
        request_claims["acr_values"] = " ".join(provider.acr_values)
    for name, value in (("prompt", prompt), ("max_age", max_age), ("login_hint", login_hint)):
        if value is not None:
            request_claims[name] = value
    header = {"alg": "RS256", "kid": keys.signing.kid, "typ": "oauth-authz-req+jwt"}
    request_object = jwt.encode(header, request_claims, keys.signing)
    # FTN reads only `request`; the duplicates keep plain OIDC providers happy.
    query = {"client_id": provider.client_id, "response_type": "code", "scope": provider.scope}
    url = f"{metadata['authorization_endpoint']}?{urlencode({**query, 'request': request_object})}"
    pending = {
        "provider": provider.name,
        "state": state,
        "nonce": nonce,
        "code_verifier": code_verifier,
        "redirect_uri": redirect_uri,
        "max_age": max_age,
        "created": now,
    }
    return url, pending


def finish(
    provider: Provider,
    cache: MetadataCache,
    keys: PortalKeys,
    args: dict[str, str],
    pending: dict[str, Any] | None,
) -> VerifiedSignIn:
    """Check the callback, redeem the code and verify the ID token; raise SignInFailed on anything odd."""
    if pending is None or pending.get("provider") != provider.name:
        raise SignInFailed("no sign-in was started with this provider")
    if int(time.time()) - int(pending["created"]) > PENDING_LIFETIME:
        raise SignInFailed("the sign-in took too long")
    if not hmac.compare_digest(str(args.get("state", "")), str(pending["state"])):
        raise SignInFailed("state does not match")
    if args.get("error"):
        if args["error"] == "access_denied":
            raise SignInCancelled("cancelled at the provider")
        raise SignInFailed(f"provider error {args['error'][:40]}")
    code = args.get("code")
    if not code:
        raise SignInFailed("no code")

    try:
        metadata = cache.metadata(provider)
        token_endpoint = metadata["token_endpoint"]
        session = OAuth2Session(
            provider.client_id,
            token_endpoint_auth_method=JoseAssertion(keys, token_endpoint),
            redirect_uri=pending["redirect_uri"],
        )
        token = session.fetch_token(
            token_endpoint, code=code, code_verifier=pending["code_verifier"], timeout=10
        )
    except ProviderUnavailable:
        raise
    except Exception as error:
        raise SignInFailed(f"token request refused: {type(error).__name__}") from error
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise SignInFailed("no id_token in the token response")
    return verify_id_token(
        provider, cache, keys, id_token, nonce=pending["nonce"], max_age=pending["max_age"]
    )


def verify_id_token(
    provider: Provider,
    cache: MetadataCache,
    keys: PortalKeys,
    id_token: str,
    *,
    nonce: str,
    max_age: int | None,
) -> VerifiedSignIn:
    signed = _decrypt(provider, keys, id_token)
    verified = _verify_signature(provider, cache, signed)
    claims = dict(verified.claims)
    metadata = cache.metadata(provider)
    registry = jwt.JWTClaimsRegistry(
        leeway=LEEWAY,
        iss={"essential": True, "value": metadata["issuer"]},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(claims)
    except JoseError as error:
        raise SignInFailed(f"claims rejected: {error.error}") from error
    audiences = claims.get("aud")
    audiences = [audiences] if isinstance(audiences, str) else list(audiences or [])
    if provider.client_id not in audiences:
        raise SignInFailed("the token was issued to another client")
    if len(audiences) > 1 and claims.get("azp") != provider.client_id:
        raise SignInFailed("azp does not name this client")
    if int(claims["iat"]) > time.time() + LEEWAY:
        raise SignInFailed("iat is in the future")

    acr = claims.get("acr")
    if provider.acr_values and ACR_RANK.get(str(acr), 0) < provider.minimum_acr_rank:
        raise SignInFailed("acr is below the level asked for")
    auth_time = int(claims.get("auth_time") or claims["iat"])
    if max_age is not None and time.time() - auth_time > max_age + LEEWAY:
        raise SignInFailed("the authentication is older than max_age")
    amr = claims.get("amr")
    return VerifiedSignIn(
        provider=provider.name,
        claims=claims,
        acr=str(acr) if acr else None,
        amr=" ".join(amr) if isinstance(amr, list) else (str(amr) if amr else None),
        auth_time=datetime.fromtimestamp(auth_time, UTC),
        idp_session=str(claims["sid"]) if claims.get("sid") else None,
        id_token=signed,
    )


def _decrypt(provider: Provider, keys: PortalKeys, id_token: str) -> str:
    parts = id_token.count(".") + 1
    if parts == 3:
        if provider.require_encryption:
            raise SignInFailed("an unencrypted ID token where encryption is required")
        return id_token
    if parts != 5:
        raise SignInFailed("the ID token is not a JWS or JWE")
    try:
        decrypted = jwe.decrypt_compact(id_token, keys.decryption_keys(), algorithms=ENCRYPTION_ALGORITHMS)
    except (JoseError, ValueError) as error:
        raise SignInFailed("the ID token could not be decrypted") from error
    if decrypted.plaintext is None:
        raise SignInFailed("the encrypted ID token was empty")
    return decrypted.plaintext.decode()


def _verify_signature(provider: Provider, cache: MetadataCache, signed: str) -> jwt.Token:
    try:
        return jwt.decode(signed, cache.key_set(provider), algorithms=SIGNATURE_ALGORITHMS)
    except InvalidKeyIdError:
        pass  # The provider may have rotated its keys: fetch the set once more.
    except (JoseError, ValueError) as error:
        raise SignInFailed(f"signature rejected: {getattr(error, 'error', 'invalid')}") from error
    try:
        return jwt.decode(signed, cache.key_set(provider, refresh=True), algorithms=SIGNATURE_ALGORITHMS)
    except (JoseError, ValueError) as error:
        raise SignInFailed(f"signature rejected: {getattr(error, 'error', 'invalid')}") from error
