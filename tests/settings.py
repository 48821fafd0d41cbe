"""Settings for the test suite: the project's settings with a test secret and fast hashing."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-secret")

from hyperlocal.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Expected 4xx answers are logged by django.request as warnings; they drown real failures.
LOGGING["loggers"] = {"django.request": {"level": "ERROR"}}  # noqa: F405
