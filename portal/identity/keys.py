"""The portal's own keys: signing (request objects, client assertions, consent seals) and decryption."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from joserfc.jwk import KeySet, RSAKey


@dataclass(frozen=True)
class PortalKeys:
    signing: RSAKey
    encryption: RSAKey

    def public_jwks(self) -> dict[str, Any]:
        return {"keys": [key.as_dict(private=False) for key in (self.signing, self.encryption)]}

    def decryption_keys(self) -> KeySet:
        return KeySet([self.encryption])


def load_rsa_key(source: str, use: str, alg: str) -> RSAKey:
    """A PEM given inline (as in an environment variable) or as a file path."""
    pem = source if source.lstrip().startswith("-----BEGIN") else Path(source).read_text(encoding="utf-8")
    return _import_pem(pem, use, alg)


@lru_cache(maxsize=32)
def _import_pem(pem: str, use: str, alg: str) -> RSAKey:
    # Checking a private RSA key costs tens of milliseconds; every app instance would pay it again.
    key = RSAKey.import_key(pem, {"use": use, "alg": alg})
    key.ensure_kid()
    if key.as_dict(private=False)["n"] and len(key.as_dict(private=False)["n"]) < 342:
        raise ValueError("RSA keys must be at least 2048 bits")
    return key


def development_key(app: Flask, name: str, use: str, alg: str) -> RSAKey:
    """Generated once into the instance folder so that sign-in survives restarts in development."""
    path = Path(app.instance_path) / "keys" / f"{name}.pem"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        generated = RSAKey.generate_key(2048, private=True)
        path.write_bytes(generated.as_pem(private=True))
        path.chmod(0o600)
    return load_rsa_key(str(path), use, alg)


def init_app(app: Flask) -> None:
    def key(setting: str, name: str, use: str, alg: str) -> RSAKey:
        if app.config.get(setting):
            return load_rsa_key(str(app.config[setting]), use, alg)
        return development_key(app, name, use, alg)

    app.extensions["polku.keys"] = PortalKeys(
        signing=key("SIGNING_KEY", "portal-signing", "sig", "RS256"),
        encryption=key("ENCRYPTION_KEY", "portal-encryption", "enc", "RSA-OAEP"),
    )


def portal_keys() -> PortalKeys:
    keys: PortalKeys = current_app.extensions["polku.keys"]
    return keys
