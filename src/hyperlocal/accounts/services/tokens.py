"""API tokens: the key is shown once; only its hash is stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.db.models import Q, QuerySet
from django.utils import timezone

from hyperlocal.accounts.models import ApiToken, User
from hyperlocal.accounts.services.text import clean_text
from hyperlocal.errors import NotFound

TOKEN_PREFIX = "hl_"
NAME_MAX = 100
CREDENTIAL_MAX = 4096
# How precisely a token's last use is recorded (a write at most this often per token).
LAST_USED_GRANULARITY = timedelta(hours=1)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def issue_token(user: User, name: str, *, now: datetime | None = None) -> tuple[ApiToken, str]:
    """Create a token; the clear key is returned once and never stored."""
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = now or timezone.now()
    token = ApiToken.objects.create(
        user=user,
        name=clean_text(name, field="name", max_length=NAME_MAX) or "api",
        prefix=key[:10],
        key_hash=hash_key(key),
        created_at=now,
        expires_at=now + timedelta(days=settings.API_TOKEN_DAYS),
    )
    return token, key


def token_for_credentials(*, username: str, password: str, name: str = "api") -> tuple[ApiToken, str] | None:
    """A new token for a username and password, or None when they don't match an active user
    (the caller answers without saying which of the two was wrong)."""
    name = clean_text(name, field="name", max_length=NAME_MAX)  # checked first: no token for a bad name
    # NUL cannot reach PostgreSQL; such a username exists nowhere.
    if "\x00" in username or len(username) > CREDENTIAL_MAX or len(password) > CREDENTIAL_MAX:
        return None
    user = authenticate(username=username, password=password)
    if not isinstance(user, User):
        return None
    return issue_token(user, name)


def user_for_key(key: str, *, now: datetime | None = None) -> User | None:
    """The active owner of a live (not revoked, not expired) token.

    One query reads the token's id and last use with its user; the last use is written at most
    once an hour per token, by a conditional UPDATE in the caller's transaction (if any), so
    that busy clients neither write on every call nor pay for a transaction of its own."""
    now = now or timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .only("id", "last_used_at", "user")
        .filter(key_hash=hash_key(key), revoked_at__isnull=True, expires_at__gt=now, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    stale = now - LAST_USED_GRANULARITY
    if token.last_used_at is None or token.last_used_at <= stale:
        # Conditional: of concurrent requests with the same token, only one writes.
        ApiToken.objects.filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=stale), pk=token.pk
        ).update(last_used_at=now)
    return token.user


def list_tokens(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


def revoke_token(user: User, token_id: int, *, now: datetime | None = None) -> ApiToken:
    """Revoke one of the user's own tokens (again is harmless); someone else's is NotFound,
    so that token ids of others are not even confirmed to exist."""
    # Ids beyond a bigint exist nowhere (and PostgreSQL would refuse to compare them).
    token = ApiToken.objects.filter(pk=token_id, user=user).first() if 0 < token_id < 2**63 else None
    if token is None:
        raise NotFound(f"you have no token {token_id}", field="token_id")
    if token.revoked_at is None:
        token.revoked_at = now or timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def revoke_tokens(token_ids: list[int], *, now: datetime | None = None) -> int:
    """Revoke tokens whoever owns them (the back office); returns how many were still live."""
    live = ApiToken.objects.filter(pk__in=token_ids, revoked_at__isnull=True)
    return live.update(revoked_at=now or timezone.now())
