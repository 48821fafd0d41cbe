"""API authentication: a browser session (with CSRF) or a bearer token."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer
from ninja.security.session import SessionAuth as NinjaSessionAuth

from hyperlocal.accounts.models import User
from hyperlocal.accounts.services.tokens import TOKEN_PREFIX, hash_key, issue_token, user_for_key
from hyperlocal.errors import NotAllowed


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <key>` with a key from POST /api/accounts/tokens."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = user_for_key(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(NinjaSessionAuth):
    """The browser's session, with Django's CSRF check on unsafe methods. Without a session
    cookie there is nothing to check: the request is simply not authenticated (401), so that
    an API client with a wrong or revoked token learns that, not "CSRF check failed"."""

    def _get_key(self, request: HttpRequest) -> str | None:
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        try:
            return super()._get_key(request)
        except HttpError:
            # Answered in the API's usual error shape (detail, code), like every other 403.
            raise NotAllowed(
                "CSRF check failed: send the csrftoken cookie's value in the X-CSRFToken header"
            ) from None


api_auth = [TokenAuth(), SessionAuth()]

__all__ = ["TOKEN_PREFIX", "SessionAuth", "TokenAuth", "api_auth", "hash_key", "issue_token", "user_for_key"]


def signed_in_user(request: HttpRequest) -> User:
    """The user behind an API request; every router's operations use ``api_auth``, which lets
    only signed-in users through, so anything else is refused rather than trusted."""
    user = request.auth  # type: ignore[attr-defined]
    if not isinstance(user, User):
        raise NotAllowed("log in first")
    return user
