"""The pieces of the relying party that can be checked without a provider."""

import base64
import json

from joserfc.jwk import RSAKey

from portal.identity.keys import PortalKeys
from portal.identity.oidc import JoseAssertion
from portal.identity.providers import MetadataCache


class Auth:
    client_id = "polku-test"


def keys() -> PortalKeys:
    signing, encryption = RSAKey.generate_key(2048, private=True), RSAKey.generate_key(2048, private=True)
    signing.ensure_kid()
    encryption.ensure_kid()
    return PortalKeys(signing=signing, encryption=encryption)


def decode(token: str) -> tuple[dict, dict]:
    header, claims = (json.loads(base64.urlsafe_b64decode(p + "==")) for p in token.split(".")[:2])
    return header, claims


def test_the_client_assertion_is_short_lived_unique_and_names_its_key():
    portal_keys = keys()
    assertion = JoseAssertion(portal_keys, "https://idp.example/token")
    first, second = (assertion.sign(Auth(), "https://idp.example/token") for _ in range(2))
    header, claims = decode(first)
    assert header["kid"] == portal_keys.signing.kid
    assert header["alg"] == "RS256"
    assert claims["iss"] == claims["sub"] == "polku-test"
    assert claims["aud"] == "https://idp.example/token"
    assert 0 < claims["exp"] - claims["iat"] <= 300
    assert decode(second)[1]["jti"] != claims["jti"]


def test_the_jwks_cache_expires(monkeypatch):
    fetched = []

    class Response:
        def __init__(self, url):
            self.url = url

        def raise_for_status(self):
            pass

        def json(self):
            fetched.append(self.url)
            key = RSAKey.generate_key(2048, private=False).as_dict(private=False)
            return {"jwks_uri": "https://idp.example/jwks", "keys": [key]}

    monkeypatch.setattr("portal.identity.providers.requests.get", lambda url, timeout: Response(url))
    now = [1000.0]
    cache = MetadataCache(clock=lambda: now[0])

    class Provider:
        def resolved_discovery_url(self):
            return "https://idp.example/.well-known/openid-configuration"

    cache.key_set(Provider())
    cache.key_set(Provider())
    assert fetched.count("https://idp.example/jwks") == 1
    now[0] += 601
    cache.key_set(Provider())
    assert fetched.count("https://idp.example/jwks") == 2
    cache.key_set(Provider(), refresh=True)
    assert fetched.count("https://idp.example/jwks") == 3
