"""Sign-up and profiles."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction

from hyperlocal.accounts.models import User
from hyperlocal.accounts.roles import Role, grant_role
from hyperlocal.accounts.services.text import clean_text
from hyperlocal.errors import Conflict, InvalidInput

USERNAME_MAX = 150
EMAIL_MAX = 254
DISPLAY_NAME_MAX = 100
# Hashing a megabyte-long password on purpose is a cheap way to load a server.
PASSWORD_MAX = 4096


def _username(value: str) -> str:
    text = clean_text(value, field="username", max_length=USERNAME_MAX, required=True)
    username = User.normalize_username(text)
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        raise InvalidInput(
            "username may contain only letters, digits and the characters @ . + - _", field="username"
        ) from None
    return username


def _email(value: str) -> str:
    email = clean_text(value, field="email", max_length=EMAIL_MAX)
    if email:
        try:
            EmailValidator()(email)
        except ValidationError:
            raise InvalidInput(f"email {email!r} is not a valid e-mail address", field="email") from None
    return User.objects.normalize_email(email)


def _language(value: str) -> str:
    codes = [code for code, _ in settings.LANGUAGES]
    if value not in codes:
        raise InvalidInput(
            f"preferred_language {value!r} is not offered; choose one of {', '.join(codes)}",
            field="preferred_language",
        )
    return value


def _check_password(password: str, user: User) -> None:
    if not isinstance(password, str) or not password:
        raise InvalidInput("password is required", field="password")
    if len(password) > PASSWORD_MAX:
        raise InvalidInput(f"password is longer than {PASSWORD_MAX} characters", field="password")
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput("password: " + " ".join(exc.messages), field="password") from None


def signup(
    *, username: str, password: str, email: str = "", display_name: str = "", preferred_language: str = "ko"
) -> User:
    """A new resident account (the resident role); refuses a taken username (any letter case)."""
    user = User(
        username=_username(username),
        email=_email(email),
        display_name=clean_text(display_name, field="display_name", max_length=DISPLAY_NAME_MAX),
        preferred_language=_language(preferred_language),
    )
    if User.objects.filter(username__iexact=user.username).exists():
        raise Conflict(f"username {user.username!r} is taken", field="username")
    _check_password(password, user)
    user.set_password(password)
    try:
        # A savepoint: a concurrent sign-up with the same name must not break the caller's transaction.
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise Conflict(f"username {user.username!r} is taken", field="username") from None
    grant_role(user, Role.RESIDENT)
    return user


def update_profile(
    user: User, *, display_name: str | None = None, preferred_language: str | None = None
) -> User:
    changed = []
    if display_name is not None:
        user.display_name = clean_text(display_name, field="display_name", max_length=DISPLAY_NAME_MAX)
        changed.append("display_name")
    if preferred_language is not None:
        user.preferred_language = _language(preferred_language)
        changed.append("preferred_language")
    if changed:
        user.save(update_fields=changed)
    return user
