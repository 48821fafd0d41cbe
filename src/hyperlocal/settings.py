"""Django settings, read from the environment.

Every knob that differs between a laptop, CI and production comes from an environment
variable; the defaults give a working development set-up on an embedded SQLite database.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
# Where the embedded database and uploaded media live when not configured otherwise.
VAR_DIR = Path(os.environ.get("HYPERLOCAL_VAR_DIR", Path.cwd() / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return float(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a number, got {value!r}") from exc


DEBUG = env_bool("DEBUG", False)

DEVELOPMENT_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is the development default while DEBUG is off: set SECRET_KEY "
        "to a long random value (or DEBUG=1 for local development)."
    )

ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()
]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "hyperlocal.web",
    "hyperlocal.regions",
    "hyperlocal.accounts",
    "hyperlocal.catalog",
    "hyperlocal.hubs",
    "hyperlocal.inventory",
    "hyperlocal.orders",
    "hyperlocal.planning",
    "hyperlocal.dispatch",
    "hyperlocal.simulation",
    "hyperlocal.worker",
    "hyperlocal.wallet",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "hyperlocal.urls"
WSGI_APPLICATION = "hyperlocal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hyperlocal.web.context.site",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'hyperlocal.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # a fresh clone has no ./var yet
    # WAL lets readers carry on while a writer commits; IMMEDIATE takes the write lock at
    # BEGIN so that two writers queue instead of failing half-way with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"].setdefault("TEST", {})["NAME"] = ""  # in-memory for tests
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Server-side parameter binding lets psycopg prepare a statement on the server once it has
    # been run `prepare_threshold` times on a connection, and reuse the plan afterwards (what
    # plain psycopg does by default). DATABASE_PREPARE_THRESHOLD=off (or empty) turns both off:
    # needed behind PgBouncer in transaction pooling mode before 1.21, where a prepared
    # statement does not survive the switch to another server connection.
    _prepare = os.environ.get("DATABASE_PREPARE_THRESHOLD", "5").strip().lower()
    if _prepare not in {"", "off", "none", "no", "false"}:
        try:
            _threshold = int(_prepare)
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"DATABASE_PREPARE_THRESHOLD must be an integer or 'off', got {_prepare!r}"
            ) from exc
        if _threshold < 0:
            raise ImproperlyConfigured("DATABASE_PREPARE_THRESHOLD must not be negative")
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            {"server_side_binding": True, "prepare_threshold": _threshold}
        )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", "한국어"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Seoul")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Static files are served from the installed packages (WHITENOISE_USE_FINDERS); STATIC_ROOT is
# needed only by `collectstatic` for a front server of your own.
STATIC_ROOT = Path(os.environ["STATIC_ROOT"]) if os.environ.get("STATIC_ROOT") else None
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "hyperlocal.web.finders.XStaticFinder",  # Leaflet from the xstatic-leaflet package, under static/leaflet/
]
WHITENOISE_USE_FINDERS = True  # serve straight from installed packages; no collectstatic needed

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads it to send X-CSRFToken
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# Queued jobs (a site plan...): django-tasks with its database backend; `hyperlocal worker` runs
# them beside the periodic jobs (a broker-backed backend can replace it without touching the jobs).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# How often (seconds) the worker looks for queued jobs when there are none.
QUEUED_JOBS_POLL_S = env_float("QUEUED_JOBS_POLL_S", 1.0)
# How long a stopping worker waits for a queued job that is running (a site plan's solver).
QUEUED_JOBS_STOP_WAIT_S = env_float("QUEUED_JOBS_STOP_WAIT_S", 30.0)
# Called (dotted paths) by a worker that stops while a queued job still runs after that wait:
# each marks what its jobs left running as failed, rather than waiting for a sweep.
QUEUED_JOBS_ON_STOP = ["hyperlocal.planning.services.plans.abandon_running_plans"]
# Site plans: a running plan touches its heartbeat this often (seconds); one whose heartbeat is
# older than PLAN_STALLED_AFTER_S lost its worker (the sweep fails it); a queued plan older than
# PLAN_QUEUED_STALE_S is checked (handed to the job backend again if it never got there).
PLAN_HEARTBEAT_S = env_float("PLAN_HEARTBEAT_S", 10.0)
PLAN_STALLED_AFTER_S = env_float("PLAN_STALLED_AFTER_S", 120.0)
PLAN_QUEUED_STALE_S = env_float("PLAN_QUEUED_STALE_S", 120.0)
# The longest solver time limit a hub operator may ask for (they share the worker); admins'.
PLAN_OPERATOR_MAX_SECONDS = env_float("PLAN_OPERATOR_MAX_SECONDS", 300.0)
PLAN_ADMIN_MAX_SECONDS = env_float("PLAN_ADMIN_MAX_SECONDS", 3600.0)

# --- hyperlocal ---------------------------------------------------------------------------
# Neighbourhood verification: a GPS fix must fall within K grid steps of the home cell.
NEIGHBOURHOOD_RESOLUTION = env_int("NEIGHBOURHOOD_RESOLUTION", 9)
NEIGHBOURHOOD_K = env_int("NEIGHBOURHOOD_K", 4)
NEIGHBOURHOOD_VERIFICATION_DAYS = env_int("NEIGHBOURHOOD_VERIFICATION_DAYS", 30)
# Regions and service areas are stored as sets of cells at this resolution.
REGION_CELL_RESOLUTION = env_int("REGION_CELL_RESOLUTION", 9)
SERVICE_AREA_RESOLUTION = env_int("SERVICE_AREA_RESOLUTION", 9)
# Travel-time model: "circuity" (great-circle x circuity / speed) or an OSRM server of your own
# (OSRM_URL for every mode, or OSRM_URL_WALK / _BIKE / _SCOOTER / _CAR per mode).
TRAVEL_MODEL: dict[str, object]
if os.environ.get("TRAVEL_MODEL", "circuity") not in {"circuity", "osrm"}:
    raise ImproperlyConfigured("TRAVEL_MODEL must be 'circuity' or 'osrm'")
if os.environ.get("TRAVEL_MODEL") == "osrm":
    TRAVEL_MODEL = {
        "kind": "osrm",
        "urls": {
            mode: url
            for mode in ("walk", "bike", "scooter", "car")
            if (url := os.environ.get(f"OSRM_URL_{mode.upper()}", os.environ.get("OSRM_URL", "")))
        },
        "timeout_s": env_float("OSRM_TIMEOUT_S", 10.0),
    }
else:
    TRAVEL_MODEL = {"kind": "circuity", "circuity": env_float("TRAVEL_CIRCUITY", 1.3)}
# Leaflet tiles: empty means no tile layer (the map draws district outlines only, offline).
MAP_TILES_URL = os.environ.get("MAP_TILES_URL", "")
MAP_TILES_ATTRIBUTION = os.environ.get("MAP_TILES_ATTRIBUTION", "")
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 365)

# Commerce: how long a cart holds stock, how orders are split among hubs, who takes payment.
CART_HOLD_MINUTES = env_int("CART_HOLD_MINUTES", 15)
# How old (seconds) the picking-queue lengths behind the instant ETA may be; each process
# counts them at most this often (orders.services.queue_cache). 0: count on every checkout.
PICKING_QUEUE_CACHE_S = env_float("PICKING_QUEUE_CACHE_S", 2.0)
# nearest | most_stock | cheapest (hyperlocal.orders.allocation)
ALLOCATION_STRATEGY = os.environ.get("ALLOCATION_STRATEGY", "nearest")
if ALLOCATION_STRATEGY not in {"nearest", "most_stock", "cheapest"}:
    raise ImproperlyConfigured("ALLOCATION_STRATEGY must be 'nearest', 'most_stock' or 'cheapest'")
# The only provider shipped is the test provider: it moves no real money and says so.
PAYMENT_PROVIDER = os.environ.get("PAYMENT_PROVIDER", "test")
DELIVERY_FEE_WON = env_int("DELIVERY_FEE_WON", 3000)
FREE_DELIVERY_FROM_WON = env_int("FREE_DELIVERY_FROM_WON", 30000)
# How many days ahead residents may book a delivery slot.
SLOT_DAYS_AHEAD = env_int("SLOT_DAYS_AHEAD", 2)
# What `hyperlocal worker` runs: (dotted path of a function, interval in seconds).
# Dispatch: a round per open hub every DISPATCH_ROUND_S seconds, planned by DISPATCH_STRATEGY
# ("optimised" with PyVRP, or the "greedy" baseline) within DISPATCH_TIME_LIMIT_S per round.
DISPATCH_ROUND_S = env_float("DISPATCH_ROUND_S", 60.0)
DISPATCH_STRATEGY = os.environ.get("DISPATCH_STRATEGY", "optimised")
if DISPATCH_STRATEGY not in {"optimised", "greedy"}:
    raise ImproperlyConfigured("DISPATCH_STRATEGY must be 'optimised' or 'greedy'")
DISPATCH_TIME_LIMIT_S = env_float("DISPATCH_TIME_LIMIT_S", 1.0)
if not 0 < DISPATCH_TIME_LIMIT_S < float("inf"):  # also refuses nan
    raise ImproperlyConfigured(
        f"DISPATCH_TIME_LIMIT_S must be a positive number of seconds, got {DISPATCH_TIME_LIMIT_S!r}"
    )
# The demo's simulated couriers ride by themselves (clock in, pick up, deliver) when on, and
# every courier's latest shift hours roll forward to today and tomorrow (demo only: off in
# production, where hubs plan shifts).
DISPATCH_AUTOPILOT = env_bool("DISPATCH_AUTOPILOT", False)
# The demo's simulated pickers: shipments nobody started DISPATCH_AUTOPICK_AFTER_MIN minutes
# after the order are picked in full and packed, as the hub's operator (demo only: off by default).
DISPATCH_AUTOPICK = env_bool("DISPATCH_AUTOPICK", False)
DISPATCH_AUTOPICK_AFTER_MIN = env_float("DISPATCH_AUTOPICK_AFTER_MIN", 3.0)
# Run in this order within a pass: the rota before the pickers, the pickers before the rounds,
# the rounds before the couriers' autopilot.
PERIODIC_JOBS: list[tuple[str, float]] = [
    ("hyperlocal.orders.jobs.release_expired_cart_holds", env_float("PERIODIC_HOLDS_S", 30.0)),
    # Local currency: vouchers past their validity and checkout holds past their timeout;
    # settlement runs of programmes whose schedule says they are due.
    ("hyperlocal.wallet.jobs.expire_due_vouchers", env_float("VOUCHER_EXPIRY_S", 300.0)),
    ("hyperlocal.wallet.jobs.settle_due_programmes", env_float("VOUCHER_SETTLEMENT_S", 3600.0)),
    # Site plans whose worker died while they ran are marked failed; queued plans that never
    # reached the job backend are handed to it again.
    ("hyperlocal.planning.services.plans.fail_stalled_plans", env_float("PLAN_SWEEP_S", 60.0)),
]
if DISPATCH_AUTOPILOT:
    PERIODIC_JOBS.append(("hyperlocal.dispatch.jobs.roll_demo_rota", env_float("DISPATCH_ROTA_S", 600.0)))
if DISPATCH_AUTOPICK:
    PERIODIC_JOBS.append(
        ("hyperlocal.dispatch.jobs.pick_waiting_shipments", env_float("DISPATCH_AUTOPICK_S", 20.0))
    )
PERIODIC_JOBS.append(("hyperlocal.dispatch.jobs.run_dispatch_rounds", DISPATCH_ROUND_S))
if DISPATCH_AUTOPILOT:
    PERIODIC_JOBS.append(
        ("hyperlocal.dispatch.jobs.advance_simulated_couriers", env_float("DISPATCH_AUTOPILOT_S", 10.0))
    )
