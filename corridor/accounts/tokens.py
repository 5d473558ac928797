"""API token format and lookup: `cor_<prefix>_<secret>`; only a SHA-256 hash of the secret is stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.utils import timezone

TOKEN_PREFIX = "cor"


def hash_secret(prefix: str, secret: str) -> str:
    return hashlib.sha256(f"{prefix}:{secret}".encode()).hexdigest()


def new_token_parts() -> tuple[str, str, str]:
    """A fresh (prefix, secret, full token string)."""
    prefix = secrets.token_hex(5)
    secret = secrets.token_urlsafe(32)
    return prefix, secret, f"{TOKEN_PREFIX}_{prefix}_{secret}"


def find_token(raw: str):
    """The usable ApiToken for a presented string, or None. Marks it as used."""
    from corridor.accounts.models import ApiToken

    parts = raw.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    prefix, secret = parts[1], parts[2]
    token = ApiToken.objects.select_related("acting_user", "organisation").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.key_hash, hash_secret(prefix, secret)):
        return None
    if not token.is_usable or not token.acting_user.is_active or not token.organisation.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        type(token).objects.filter(pk=token.pk).update(last_used_at=now)
    return token
