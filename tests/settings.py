"""Settings for the test suite: the project's settings with a test secret and fast hashing."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-secret")

from hyperlocal.settings import *  # noqa: F403

# Count the picking queue on every checkout, so that an order placed just before shows in the
# next quote (tests/orders/test_queue_cache.py turns the cache on where it is tested).
PICKING_QUEUE_CACHE_S = 0.0
# Queued jobs run at once, in the process that queues them (on commit of its transaction).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Expected 4xx answers are logged by django.request as warnings; they drown real failures.
LOGGING["loggers"] = {"django.request": {"level": "ERROR"}}  # noqa: F405

# SQLite: the test database is a file, not ":memory:", so that the threads of the concurrency
# tests (tests/orders/test_concurrency.py) share it with WAL and IMMEDIATE transactions (a
# shared-cache memory database fails them with "database table is locked"). One file per
# process, so that parallel runs do not clash; Django deletes it at the end of the run.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"]["NAME"] = str(VAR_DIR / f"test-{os.getpid()}.sqlite3")  # noqa: F405
