"""TOTP secrets encrypted at rest with ``PORTAL_TOTP_KEY`` (AES-256-GCM from ``cryptography``).

A stored value is ``v1:<key id>:<base64url(nonce + ciphertext)>``. ``PORTAL_TOTP_KEY`` is one
key, or several separated by commas while rotating: the first encrypts, every one decrypts
(matched by key id, 8 hex digits derived from the key). A value without the ``v1:`` prefix is a
clear secret from before encryption: it is still read, and ``flask staff rotate-totp-key``
encrypts it. The key never enters the database or its backups.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app

PREFIX = "v1"
NONCE_BYTES = 12
ASSOCIATED_DATA = b"friendship-portal staff_user.totp_secret v1"


class TotpKeyMissing(RuntimeError):
    """A stored secret was encrypted with a key that ``PORTAL_TOTP_KEY`` no longer lists."""


@dataclass(frozen=True)
class TotpKey:
    key_id: str
    aead: AESGCM


def _derive(raw: str) -> TotpKey:
    material = hmac.new(raw.encode("utf-8"), b"portal totp secret encryption", hashlib.sha256).digest()
    key_id = hashlib.sha256(b"portal totp key id" + material).hexdigest()[:8]
    return TotpKey(key_id=key_id, aead=AESGCM(material))


@lru_cache(maxsize=8)
def _keys_for(setting: str) -> tuple[TotpKey, ...]:
    keys = tuple(_derive(raw.strip()) for raw in setting.split(",") if raw.strip())
    if not keys:
        raise TotpKeyMissing("PORTAL_TOTP_KEY is empty")
    return keys


def keys() -> tuple[TotpKey, ...]:
    """The configured keys, newest (the one that encrypts) first."""
    return _keys_for(str(current_app.config["TOTP_KEY"]))


def is_encrypted(stored: str) -> bool:
    return stored.startswith(PREFIX + ":")


def encrypt(secret: str) -> str:
    key = keys()[0]
    nonce = os.urandom(NONCE_BYTES)
    sealed = key.aead.encrypt(nonce, secret.encode("ascii"), ASSOCIATED_DATA)
    return f"{PREFIX}:{key.key_id}:{base64.urlsafe_b64encode(nonce + sealed).decode('ascii')}"


def decrypt(stored: str) -> str:
    """The clear secret; a legacy clear value is returned as it is."""
    if not is_encrypted(stored):
        return stored
    try:
        _prefix, key_id, payload = stored.split(":", 2)
        blob = base64.urlsafe_b64decode(payload.encode("ascii"))
    except ValueError as exc:
        raise TotpKeyMissing("malformed encrypted TOTP secret") from exc
    for key in keys():
        if key.key_id == key_id:
            try:
                return key.aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], ASSOCIATED_DATA).decode("ascii")
            except InvalidTag as exc:
                raise TotpKeyMissing(f"TOTP key {key_id} does not open this secret") from exc
    raise TotpKeyMissing(f"no key with id {key_id} in PORTAL_TOTP_KEY")


def needs_rotation(stored: str) -> bool:
    """True for a clear value or one encrypted with an older key."""
    return not is_encrypted(stored) or stored.split(":", 2)[1] != keys()[0].key_id
