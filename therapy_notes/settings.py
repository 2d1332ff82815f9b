"""Settings for therapy-notes. Everything comes from environment variables (see README's table)."""

from __future__ import annotations

import os
import warnings
from datetime import timedelta
from pathlib import Path

import dj_database_url
from corsheaders.defaults import default_headers as default_cors_headers
from django.core.exceptions import ImproperlyConfigured

from summarizer.config import KV_CACHE_TYPES, InferenceConfig
from summarizer.model_registry import MODELS_DIR_VARIABLE, model_path_from_env
from therapy_notes.env import env_bool, env_choice, env_float, env_int, env_list, env_str
from therapy_notes.field_keys import load_field_keys
from therapy_notes.log import LOG_FORMAT_VARIABLE, LOG_FORMATS, PLAIN

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
_INSECURE_DEV_KEY = "insecure-dev-key-set-SECRET_KEY-in-production"
SECRET_KEY = env_str("SECRET_KEY", _INSECURE_DEV_KEY)
if not DEBUG and SECRET_KEY == _INSECURE_DEV_KEY and env_bool("THERAPY_NOTES_PRODUCTION", False):
    raise ImproperlyConfigured("SECRET_KEY must be set when THERAPY_NOTES_PRODUCTION=1.")
# Transcripts, notes and job results are encrypted at rest (djfernet-redux, sessions/models.py) with these
# Fernet keys: the first encrypts, all decrypt. Required in production; a local development key file
# otherwise (therapy_notes/field_keys.py). HKDF off: the keys are already random Fernet keys, checked.
_FIELD_KEYS = load_field_keys(BASE_DIR, production=env_bool("THERAPY_NOTES_PRODUCTION", False))
FERNET_KEYS = _FIELD_KEYS.keys
FERNET_USE_HKDF = False
THERAPY_NOTES_FIELD_KEYS_SOURCE = _FIELD_KEYS.source
THERAPY_NOTES_FIELD_KEYS_FROM_DEV_FILE = _FIELD_KEYS.from_dev_file
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # WhiteNoise serves static files in runserver too, as in production (before staticfiles).
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and ReDoc served from here: the docs work offline
    "drf_standardized_errors",  # one error body for every 4xx/5xx (sessions/errors.py)
    "simple_history",
    "sessions.apps.TherapySessionsConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outermost after security, so every response carries the policy (static files and early refusals too).
    "therapy_notes.middleware.ContentSecurityPolicyMiddleware",
    # Static files (the admin's, the API docs') in every mode, DEBUG or not: see STORAGES below.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything that can answer (size limit, CommonMiddleware), so those answers carry CORS headers.
    "corsheaders.middleware.CorsMiddleware",
    "therapy_notes.middleware.RequestSizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Records which user made each audited change (notes and provenance history).
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "therapy_notes.urls"
WSGI_APPLICATION = "therapy_notes.wsgi.application"
ASGI_APPLICATION = "therapy_notes.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

# SQLite file for the quick start; PostgreSQL in production and in the test suite.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite has one writer. Taking the write lock when a transaction begins (IMMEDIATE) makes concurrent
    # writers wait for it up to the timeout, instead of failing at once with "database is locked" when a
    # reader tries to upgrade; past the timeout the API answers 503 with Retry-After (api_errors.py).
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "timeout": env_float("THERAPY_NOTES_SQLITE_TIMEOUT", 20.0),
        "transaction_mode": "IMMEDIATE",
    })
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("THERAPY_NOTES_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# With THERAPY_NOTES_STATIC_MANIFEST=1 (the Docker image, which runs collectstatic) WhiteNoise serves the
# collected files compressed, with content-hashed names and far-future caching. Without it (a checkout,
# the demo, the tests: no collectstatic) it serves the apps' static folders directly through the
# finders: the manifest storage would fail every {% static %} whose file was never collected.
THERAPY_NOTES_STATIC_MANIFEST = env_bool("THERAPY_NOTES_STATIC_MANIFEST", False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if THERAPY_NOTES_STATIC_MANIFEST else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not THERAPY_NOTES_STATIC_MANIFEST
if WHITENOISE_USE_FINDERS:
    # Nothing is collected in this mode: WhiteNoise's warning that STATIC_ROOT does not exist is noise.
    warnings.filterwarnings("ignore", message="No directory at: ", category=UserWarning)

# Request bodies above this are refused before parsing (transcripts are text; 2 MB is generous).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("THERAPY_NOTES_MAX_REQUEST_BYTES", 2 * 1024 * 1024)
THERAPY_NOTES_MAX_TRANSCRIPT_CHARS = env_int("THERAPY_NOTES_MAX_TRANSCRIPT_CHARS", 200_000)
THERAPY_NOTES_MAX_SUMMARY_SESSIONS = env_int("THERAPY_NOTES_MAX_SUMMARY_SESSIONS", 50)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # The API speaks JSON only; anything else is a clear 415. Nesting is bounded (therapy_notes/parsers.py).
    "DEFAULT_PARSER_CLASSES": ["therapy_notes.parsers.BoundedJSONParser"],
    # Every error in one shape, {"type", "errors": [{"code", "detail", "attr"}]} (sessions/errors.py).
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
    # Throttles key on REMOTE_ADDR unless this many trusted proxies sit in front (then on the address the
    # nearest of them wrote into X-Forwarded-For): a client-supplied header never chooses the bucket.
    "NUM_PROXIES": env_int("THERAPY_NOTES_NUM_PROXIES", 0),
    # drf-spectacular's, plus the error responses each operation can return (drf-standardized-errors).
    "DEFAULT_SCHEMA_CLASS": "therapy_notes.schema.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "therapy_notes.api_errors.StrictPageNumberPagination",
    "PAGE_SIZE": 50,  # ?page_size= sets it per request, up to THERAPY_NOTES_MAX_PAGE_SIZE
    "DEFAULT_THROTTLE_RATES": {
        "job_submit": env_str("THERAPY_NOTES_JOB_THROTTLE", "120/min"),
        "login": env_str("THERAPY_NOTES_LOGIN_THROTTLE", "10/min"),
    },
}
THERAPY_NOTES_MAX_PAGE_SIZE = env_int("THERAPY_NOTES_MAX_PAGE_SIZE", 200)
_ERROR_SCHEMA = "sessions.errors.ErrorResponseSerializer"
DRF_STANDARDIZED_ERRORS = {
    "EXCEPTION_HANDLER_CLASS": "therapy_notes.api_errors.ApiExceptionHandler",
    # Documented on every operation (as they apply): 409 and 422 are declared by the views that raise them.
    "ALLOWED_ERROR_STATUS_CODES": ["400", "401", "403", "404", "405", "406", "413", "415", "429", "500", "503"],
    # One component for all of them: the same body whatever the status.
    "ERROR_SCHEMAS": {code: _ERROR_SCHEMA for code in
                      ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "429", "500", "503"]},
}
# API tokens (django-rest-knox): hashed at rest, expire after a working day by default.
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env_float("THERAPY_NOTES_TOKEN_TTL_HOURS", 10)),
    "AUTH_HEADER_PREFIX": "Token",
    "TOKEN_LIMIT_PER_USER": env_int("THERAPY_NOTES_TOKEN_LIMIT_PER_USER", 20),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "therapy-notes API",
    "DESCRIPTION": "Self-hosted clinical note generation for therapy sessions.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and the docs pages describe the whole API: signed-in users (session or token) only.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Pinned copies from drf-spectacular-sidecar instead of the public CDN's @latest.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The note-format (and webhook event) choices appear in several serializers: one enum component each.
    "ENUM_NAME_OVERRIDES": {"NoteFormatEnum": "sessions.models.NOTE_FORMAT_CHOICES",
                            "ErrorTypeEnum": "sessions.errors.ERROR_TYPES",
                            "WebhookEventEnum": "sessions.models.WebhookEvent"},
    # drf-standardized-errors' copy of drf-spectacular's enum hook (keeps its error enums apart).
    "POSTPROCESSING_HOOKS": [
        "drf_standardized_errors.openapi_hooks.postprocess_schema_enums",
        "therapy_notes.schema.add_error_headers",
    ],
}

# --- Celery (Redis broker and result backend) ---------------------------------------------
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", REDIS_URL)
CELERY_TASK_DEFAULT_QUEUE = env_str("THERAPY_NOTES_QUEUE", "notes")
# The throttles' counters (login guessing, job submission) live in the default cache. Process memory is right for
# one web process; behind several (gunicorn --workers 3, more hosts) each would count on its own and the limits
# would multiply, so a deployment gives them a shared Redis database (not the broker's: cache.clear() flushes it).
THERAPY_NOTES_CACHE_URL = env_str("THERAPY_NOTES_CACHE_URL", "")
CACHES = {"default": (
    {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": THERAPY_NOTES_CACHE_URL,
     "KEY_PREFIX": "therapy-notes"} if THERAPY_NOTES_CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"})}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 3600
# Long ML tasks: ack after the work is done, one job at a time per process.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("THERAPY_NOTES_TASK_SOFT_TIME_LIMIT", 120)
CELERY_TASK_TIME_LIMIT = env_int("THERAPY_NOTES_TASK_TIME_LIMIT", 180)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Must exceed the hard time limit, or Redis redelivers a job that is still running.
    "visibility_timeout": env_int("THERAPY_NOTES_VISIBILITY_TIMEOUT", 600),
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Seconds between two runs of the reconciler (sessions/reconciler.py) by celery beat. A job whose whole
# worker died is sent again once the worker's heartbeat has expired (15 s) and the next run comes: at
# most 15 s + this after the death, well inside a minute with the default.
THERAPY_NOTES_RECONCILE_INTERVAL = env_float("THERAPY_NOTES_RECONCILE_INTERVAL", 20.0)
CELERY_BEAT_SCHEDULE = {
    "reconcile-stuck-jobs": {
        "task": "workers.reconcile_stuck_jobs",
        "schedule": THERAPY_NOTES_RECONCILE_INTERVAL,
        # A run still waiting behind busy workers when the next is due is dropped, not piled up.
        "options": {"expires": THERAPY_NOTES_RECONCILE_INTERVAL},
    },
}
CELERY_WORKER_SEND_TASK_EVENTS = True  # for Flower
CELERY_TASK_SEND_SENT_EVENT = True

# --- Model / inference ------------------------------------------------------------------------
MODELS_DIR = Path(env_str(MODELS_DIR_VARIABLE, str(BASE_DIR / "models")))
# THERAPY_NOTES_MODEL_PATH, or its alias PHI3_MODEL_PATH (a Phi-3 deployment needs one variable).
THERAPY_NOTES_MODEL_PATH, _ = model_path_from_env(MODELS_DIR)
# Unset: the model registry's default entry decides (the shipped tuned adapter, if any).
# Empty string: no adapter (untuned base). A path: that GGUF LoRA adapter.
THERAPY_NOTES_LORA_PATH: str | None = os.environ.get("THERAPY_NOTES_LORA_PATH")
THERAPY_NOTES_MODEL_ENTRY = env_str("THERAPY_NOTES_MODEL_ENTRY", "")
# Generation defaults are InferenceConfig's (one source); each can be overridden by its variable.
_INFERENCE_DEFAULTS = InferenceConfig(model_path=THERAPY_NOTES_MODEL_PATH)
THERAPY_NOTES_N_CTX = env_int("THERAPY_NOTES_N_CTX", _INFERENCE_DEFAULTS.n_ctx)
# Memory levers (bench/merged_models.py --engine): llama.cpp flash attention, and the KV cache's element type
# (q8_0 needs flash attention).
THERAPY_NOTES_FLASH_ATTN = env_bool("THERAPY_NOTES_FLASH_ATTN", _INFERENCE_DEFAULTS.flash_attn)
THERAPY_NOTES_KV_CACHE_TYPE = env_choice("THERAPY_NOTES_KV_CACHE_TYPE", _INFERENCE_DEFAULTS.kv_cache_type,
                                         tuple(KV_CACHE_TYPES))
THERAPY_NOTES_N_THREADS = env_int("THERAPY_NOTES_N_THREADS", _INFERENCE_DEFAULTS.n_threads)
# Run fewer threads than THERAPY_NOTES_N_THREADS while other processes keep cores busy (summarizer/cpu_threads.py).
THERAPY_NOTES_ADAPTIVE_THREADS = env_bool("THERAPY_NOTES_ADAPTIVE_THREADS", _INFERENCE_DEFAULTS.adaptive_threads)
THERAPY_NOTES_N_GPU_LAYERS = env_int("THERAPY_NOTES_N_GPU_LAYERS", _INFERENCE_DEFAULTS.n_gpu_layers)
THERAPY_NOTES_MAX_TOKENS = env_int("THERAPY_NOTES_MAX_TOKENS", _INFERENCE_DEFAULTS.max_tokens)
THERAPY_NOTES_TEMPERATURE = env_float("THERAPY_NOTES_TEMPERATURE", _INFERENCE_DEFAULTS.temperature)
THERAPY_NOTES_TOP_P = env_float("THERAPY_NOTES_TOP_P", _INFERENCE_DEFAULTS.top_p)
THERAPY_NOTES_TOP_K = env_int("THERAPY_NOTES_TOP_K", _INFERENCE_DEFAULTS.top_k)
THERAPY_NOTES_REPEAT_PENALTY = env_float("THERAPY_NOTES_REPEAT_PENALTY", _INFERENCE_DEFAULTS.repeat_penalty)
THERAPY_NOTES_GENERATION_TIMEOUT = env_float("THERAPY_NOTES_GENERATION_TIMEOUT", _INFERENCE_DEFAULTS.timeout_seconds)
THERAPY_NOTES_USE_GRAMMAR = env_bool("THERAPY_NOTES_USE_GRAMMAR", _INFERENCE_DEFAULTS.use_grammar)
# With the grammar allowed: "always" constrains every note; "on_failure" writes unconstrained and constrains
# only a rewrite of a note that fails validation (bench/RESULTS.md, issue 18: cheaper per token).
GRAMMAR_MODES = ("always", "on_failure")
THERAPY_NOTES_GRAMMAR_MODE = env_choice("THERAPY_NOTES_GRAMMAR_MODE", "always", GRAMMAR_MODES)
# Score each statement of a note against the transcript; drop unsupported ones (summarizer/grounding.py).
THERAPY_NOTES_GROUND_STATEMENTS = env_bool("THERAPY_NOTES_GROUND_STATEMENTS", True)
# When generation fails or times out: "fallback" writes an extractive note marked as such;
# "fail" marks the job failed and leaves the session untouched.
THERAPY_NOTES_ON_MODEL_FAILURE = env_str("THERAPY_NOTES_ON_MODEL_FAILURE", "fallback")

# Export of signed notes as training data (manage.py export_training_data): off unless enabled, and
# then only for clinicians in this group (their opt-in).
THERAPY_NOTES_TRAINING_EXPORT = env_bool("THERAPY_NOTES_TRAINING_EXPORT", False)
THERAPY_NOTES_TRAINING_OPT_IN_GROUP = env_str("THERAPY_NOTES_TRAINING_OPT_IN_GROUP", "training-data-opt-in")

# --- Reliability ------------------------------------------------------------------------------
THERAPY_NOTES_MAX_ATTEMPTS = env_int("THERAPY_NOTES_MAX_ATTEMPTS", 3)
THERAPY_NOTES_STUCK_JOB_SECONDS = env_int("THERAPY_NOTES_STUCK_JOB_SECONDS", 300)
# Webhooks (sessions/webhook_delivery.py): attempts per delivery, the first retry's delay in seconds (each
# retry waits twice as long as the one before, at most an hour), and the seconds one attempt may take.
THERAPY_NOTES_WEBHOOK_MAX_ATTEMPTS = env_int("THERAPY_NOTES_WEBHOOK_MAX_ATTEMPTS", 6)
THERAPY_NOTES_WEBHOOK_RETRY_SECONDS = env_float("THERAPY_NOTES_WEBHOOK_RETRY_SECONDS", 10.0)
THERAPY_NOTES_WEBHOOK_TIMEOUT = env_float("THERAPY_NOTES_WEBHOOK_TIMEOUT", 5.0)

# --- Read audit (sessions/access_log.py) --------------------------------------------------------
# Days an access log entry is kept; `manage.py prune_access_log` deletes older ones. Six years by default:
# HIPAA's retention of required documentation (45 CFR 164.316(b)(2)); a practice's own rules may ask more.
THERAPY_NOTES_ACCESS_LOG_RETENTION_DAYS = env_int("THERAPY_NOTES_ACCESS_LOG_RETENTION_DAYS", 6 * 365)

# --- Right of access and erasure (sessions/patient_export.py, sessions/erasure.py) ----------------
# Days after signing during which a signed note is kept through an erasure request (the session is left
# whole) unless the erasure gives an override reason. Seven years by default: a common minimum for adult
# clinical records; set the practice's own rule (some jurisdictions ask more, minors' records longer).
THERAPY_NOTES_SIGNED_NOTE_RETENTION_DAYS = env_int("THERAPY_NOTES_SIGNED_NOTE_RETENTION_DAYS", 7 * 365)

# --- Production hardening (active when DEBUG is off) -------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Admin and review-screen sign-ins last a working day at most, and end when the browser closes.
SESSION_COOKIE_AGE = int(env_float("THERAPY_NOTES_SESSION_HOURS", 8) * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("THERAPY_NOTES_SESSION_EXPIRE_AT_BROWSER_CLOSE", True)
# Everything loads from this origin. Inline styles are allowed (the admin's and the API docs' templates
# use style attributes and blocks); scripts are not: they come only from this origin's static files.
# ReDoc runs its search in a worker made from a blob: URL; Swagger UI shows data: images.
CONTENT_SECURITY_POLICY = env_str("THERAPY_NOTES_CSP", "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
]))
if env_bool("THERAPY_NOTES_PRODUCTION", False):
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
# Probes (a load balancer, Docker's healthcheck) call the health endpoints over the internal network
# in plain HTTP; they are not redirected to HTTPS. They carry no clinical data.
SECURE_REDIRECT_EXEMPT = [r"^health(/|$)"]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# CORS (django-cors-headers) for a browser app on another origin: off unless origins are listed
# (comma-separated, scheme included: https://app.example.org). Only the API answers cross-origin.
CORS_ALLOWED_ORIGINS = env_list("THERAPY_NOTES_CORS_ORIGINS", [])
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_HEADERS = (*default_cors_headers, "idempotency-key")
CORS_EXPOSE_HEADERS = ["Location", "Retry-After"]  # a 202's pointer to the job and when to poll it

# /metrics (Prometheus): a scraper sends `Authorization: Bearer <this>`; staff users may read it signed
# in. Unset: staff only.
THERAPY_NOTES_METRICS_TOKEN = env_str("THERAPY_NOTES_METRICS_TOKEN", "")

# Logs never carry transcript or note text: only ids, sizes, timings (see summarizer logging).
# THERAPY_NOTES_LOG_FORMAT: `plain` (structured fields appended as key=value) or `json` (one object per
# line, python-json-logger); workers use the same (therapy_notes/celery.py).
THERAPY_NOTES_LOG_FORMAT = env_str(LOG_FORMAT_VARIABLE, PLAIN).strip().lower()
if THERAPY_NOTES_LOG_FORMAT not in LOG_FORMATS:
    raise ImproperlyConfigured(f"{LOG_FORMAT_VARIABLE} must be one of {', '.join(LOG_FORMATS)}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"()": "therapy_notes.log.PlainFormatter"},
        "json": {"()": "therapy_notes.log.JsonFormatter"},
    },
    # A health probe's 503 (not ready yet) is a WARNING, not a server ERROR (sessions/probes.py).
    "filters": {"expected_unavailable": {"()": "sessions.probes.ExpectedUnavailableFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": THERAPY_NOTES_LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.request": {"filters": ["expected_unavailable"]},
    },
}
