"""Identity providers as configuration: endpoints by discovery, claim names per provider, levels."""

from __future__ import annotations

import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from threading import Lock
from typing import Any

import requests
from flask import current_app, url_for
from joserfc.jwk import KeySet

LOA_SUBSTANTIAL = "http://ftn.ficora.fi/2017/loa2"
LOA_HIGH = "http://ftn.ficora.fi/2017/loa3"
# Higher levels satisfy a request for a lower one; eIDAS and test values map onto the same scale.
ACR_RANK = {
    "http://ftn.ficora.fi/2017/loatest2": 2,
    LOA_SUBSTANTIAL: 2,
    "http://eidas.europa.eu/LoA/substantial": 2,
    "http://ftn.ficora.fi/2017/loatest3": 3,
    LOA_HIGH: 3,
    "http://eidas.europa.eu/LoA/high": 3,
}

DEFAULT_CLIENT_CLAIMS = {
    "hetu": ["urn:oid:1.2.246.21", "nin", "ftn_hetu", "fi_ssn", "ssn", "hetu"],
    "given_name": ["urn:oid:1.2.246.575.1.14", "urn:oid:2.5.4.42", "given_name"],
    "family_name": ["urn:oid:2.5.4.4", "family_name"],
    "email": ["email"],
}
DEFAULT_STAFF_CLAIMS = {
    "subject": ["oid", "sub"],
    "email": ["email", "preferred_username", "upn"],
    "name": ["name"],
    "groups": ["groups", "roles"],
}

HTTP_TIMEOUT = 10
METADATA_TTL = 3600
JWKS_TTL = 600


class ProviderUnavailable(RuntimeError):
    """Discovery or the key set could not be fetched."""


@dataclass
class Provider:
    name: str
    audience: str  # "client" (strong identification) or "staff" (organisation sign-in)
    client_id: str
    discovery_url: str | None = None  # None: the built-in development provider on this host
    dev_tenant: str | None = None
    scope: str = "openid"
    acr_values: list[str] = field(default_factory=list)
    require_encryption: bool = False
    claims: dict[str, list[str]] = field(default_factory=dict)
    role_groups: dict[str, str] = field(default_factory=dict)
    # An ID token in the logout URL would put names and the hetu into URL logs: off unless required.
    send_id_token_hint: bool = False

    def resolved_discovery_url(self) -> str:
        if self.discovery_url:
            return self.discovery_url
        return url_for("devidp.discovery", tenant=self.dev_tenant, _external=True)

    def claim(self, claims: dict[str, Any], name: str) -> Any:
        for candidate in self.claims.get(name, [name]):
            if claims.get(candidate) not in (None, ""):
                return claims[candidate]
        return None

    @property
    def minimum_acr_rank(self) -> int:
        return min((ACR_RANK.get(value, 99) for value in self.acr_values), default=0)


def development_providers() -> dict[str, Provider]:
    return {
        "ftn": Provider(
            name="ftn",
            audience="client",
            client_id="polku-dev-client",
            dev_tenant="ftn",
            scope="openid profile",
            acr_values=[LOA_SUBSTANTIAL],
            require_encryption=True,
            claims=DEFAULT_CLIENT_CLAIMS,
        ),
        "staff": Provider(
            name="staff",
            audience="staff",
            client_id="polku-dev-staff",
            dev_tenant="org",
            scope="openid profile email",
            claims=DEFAULT_STAFF_CLAIMS,
            role_groups={"adviser": "polku-advisers", "staff": "polku-staff", "admin": "polku-admins"},
        ),
    }


def load_providers(config: dict[str, Any]) -> dict[str, Provider]:
    path = config.get("OIDC_CONFIG")
    if not path:
        return development_providers()
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    providers = {}
    for name, entry in data.get("providers", {}).items():
        defaults = DEFAULT_CLIENT_CLAIMS if entry.get("audience") == "client" else DEFAULT_STAFF_CLAIMS
        claims = {**defaults, **entry.pop("claims", {})}
        providers[name] = Provider(name=name, claims=claims, **entry)
    return providers


def providers() -> dict[str, Provider]:
    found: dict[str, Provider] = current_app.extensions["polku.providers"]
    return found


def provider_for(audience: str) -> Provider:
    for provider in providers().values():
        if provider.audience == audience:
            return provider
    raise LookupError(f"no identity provider for {audience}")


class MetadataCache:
    """Discovery documents and key sets, per process, with expiry and one refetch on an unknown kid."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = Lock()
        self._documents: dict[str, tuple[float, dict[str, Any]]] = {}

    def _fetch(self, url: str, ttl: int, force: bool = False) -> dict[str, Any]:
        now = self._clock()
        with self._lock:
            cached = self._documents.get(url)
        if cached and not force and cached[0] > now:
            return cached[1]
        try:
            response = requests.get(url, timeout=HTTP_TIMEOUT)
            response.raise_for_status()
            document: dict[str, Any] = response.json()
        except (requests.RequestException, ValueError) as error:
            raise ProviderUnavailable(f"could not fetch {url}") from error
        with self._lock:
            self._documents[url] = (now + ttl, document)
        return document

    def metadata(self, provider: Provider) -> dict[str, Any]:
        return self._fetch(provider.resolved_discovery_url(), METADATA_TTL)

    def key_set(self, provider: Provider, refresh: bool = False) -> KeySet:
        jwks_uri = self.metadata(provider)["jwks_uri"]
        return KeySet.import_key_set(self._fetch(jwks_uri, JWKS_TTL, force=refresh))  # type: ignore[arg-type]

    def clear(self) -> None:
        with self._lock:
            self._documents.clear()


def metadata_cache() -> MetadataCache:
    cache: MetadataCache = current_app.extensions["polku.oidc_cache"]
    return cache
