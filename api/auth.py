"""API keys: how they look, how they are stored, and who presents one.

A key is 256 random bits; only its SHA-256 is stored. A slow password hash buys nothing for a
secret with that much entropy and would cost milliseconds on every request.
"""

import hashlib
import secrets

from . import reads, recent
from .models import ApiKey

KEY_PREFIX = "zl_"
# Shown in the admin to recognise a key: "zl_" and the first 8 random characters.
SHOWN_LENGTH = len(KEY_PREFIX) + 8


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def bearer_token(authorization_header: str) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, or None."""
    scheme, _, token = authorization_header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    return token


class AuthError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def authenticate(authorization_header: str | None) -> ApiKey:
    """The active key (with its client) behind the header; AuthError says why not."""
    if not authorization_header:
        raise AuthError("Missing Authorization header; send 'Authorization: Bearer <API key>'.")
    token = bearer_token(authorization_header)
    if token is None:
        raise AuthError("Malformed Authorization header; send 'Authorization: Bearer <API key>'.")
    key_hash = hash_key(token)
    key: ApiKey | None = recent.keys.get(key_hash, lambda: reads.current.api_key(key_hash))
    if key is None:
        recent.keys.forget(key_hash)  # guessing must not fill the memory
        raise AuthError("Unknown API key.")
    if key.revoked_at is not None:
        raise AuthError("This API key has been revoked.")
    if not key.client.active:
        raise AuthError("This API client has been deactivated.")
    return key
