"""Field encryption (AES-GCM) and keyed look-up hashes, with keys from the configuration."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from portal.context import config

VERSION = b"\x01"


class DecryptionFailed(ValueError):
    """The ciphertext was altered, belongs to another field, or the key is wrong."""


def _key(name: str) -> bytes:
    return _derive_key(str(config()[name]))


@lru_cache(maxsize=16)
def _derive_key(raw: str) -> bytes:
    """The key from its configured text, worked out once per key (pages decrypt many values)."""
    try:
        key = base64.b64decode(raw + "=" * (-len(raw) % 4), altchars=b"-_")
    except ValueError:
        key = b""
    if len(key) != 32:
        # A development passphrase is stretched to a key; production validates length at start-up.
        key = hashlib.sha256(raw.encode()).digest()
    return key


@lru_cache(maxsize=16)
def _cipher(key: bytes) -> AESGCM:
    return AESGCM(key)  # holds no state between calls: one per key serves every thread


def encrypt(plaintext: str, context: str) -> bytes:
    """Encrypt a value; the context (e.g. "client.hetu") binds it to its column."""
    nonce = os.urandom(12)
    sealed = _cipher(_key("FIELD_ENCRYPTION_KEY")).encrypt(nonce, plaintext.encode(), context.encode())
    return VERSION + nonce + sealed


def decrypt(ciphertext: bytes, context: str) -> str:
    if not ciphertext or ciphertext[:1] != VERSION:
        raise DecryptionFailed("unknown ciphertext format")
    nonce, sealed = ciphertext[1:13], ciphertext[13:]
    try:
        return _cipher(_key("FIELD_ENCRYPTION_KEY")).decrypt(nonce, sealed, context.encode()).decode()
    except Exception as error:
        raise DecryptionFailed("the value could not be decrypted") from error


def seal_text(value: str | None, context: str) -> bytes | None:
    """Free text a person wrote, trimmed and encrypted; None when nothing was written."""
    text = (value or "").strip()
    return encrypt(text, context) if text else None


def open_text(sealed: bytes | None, context: str) -> str:
    """The text seal_text sealed; "" when none was written."""
    return decrypt(sealed, context) if sealed else ""


def lookup_hash(value: str, context: str) -> str:
    """A keyed hash to find a row by a secret value without storing the value in clear."""
    message = f"{context}:{value}".encode()
    return hmac.new(_key("LOOKUP_HMAC_KEY"), message, hashlib.sha256).hexdigest()
