"""Settings for the ketenmachtigingen portal.

Everything that differs between a laptop and production comes from the environment, read once
here. With no environment at all the embedded default runs: SQLite under var/, Celery eager,
mail to the console, the development SMS gateway and the local company register.
"""

from datetime import timedelta
from pathlib import Path

import environ
import structlog
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from zlogin import logformat

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

# Off unless set: `make run`, `make test` and the benchmarks set DEBUG=true for themselves.
DEBUG = env.bool("DEBUG", default=False)

# Required when DEBUG is off: the web and task processes refuse to start without it
# (core/startup.py); commands that sign nothing, such as makemigrations, run without.
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "embedded-development-key-never-use-in-production-" + "x" * 16  # noqa: S105

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS",
    default=["127.0.0.1", "localhost", *(["testserver"] if DEBUG else [])],
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "accounts.library_apps.StaticDeviceConfig",  # django_otp.plugins.otp_static
    "accounts.library_apps.TOTPDeviceConfig",  # django_otp.plugins.otp_totp
    "two_factor",
    "accounts.library_apps.PhoneDeviceConfig",  # two_factor.plugins.phonenumber
    "accounts.library_apps.AxesConfig",  # axes
    "csp",
    "django_structlog",
    "outbox",
    "audit",
    "accounts",
    "catalogue",
    "ketenmachtigingen",
    "groepen",
    "berichtenbox",
    "api",
]

MIDDLEWARE = [
    # Outermost: times each request through the whole stack (django-prometheus, /metrics).
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # Before the client's address replaces the proxy's: the TLS proxy's client certificate,
    # believed from CERTIFICATE_LOGIN_PROXIES only and dropped from everyone else.
    "accounts.middleware.ClientCertificateMiddleware",
    # First: the client's address (behind TRUSTED_PROXIES) for everything after.
    "accounts.addresses.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # request.htmx: whether htmx asked (for a part of the page) or the browser (the page).
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "zlogin.middleware.AdminInlineStylesMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.middleware.PortalLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # A request_id for every log line of the request (and the tasks it sets off).
    "django_structlog.middlewares.RequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # htmx asking for a part after the session ended gets the login page as a whole page.
    "accounts.middleware.HtmxLoginRedirectMiddleware",
    # A session ends SESSION_ABSOLUTE_LIFETIME after the login, however active.
    "accounts.middleware.SessionLifetimeMiddleware",
    # A session opened with an EH4 certificate ends when that certificate is revoked.
    "accounts.middleware.CertificateSessionMiddleware",
    # A logged-in person's pages are not cached.
    "accounts.middleware.PrivatePagesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "accounts.middleware.ActiveOrganisationMiddleware",
    # Counts and times each response by view and status (django-prometheus), the lockout
    # page's included.
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # Last: turns a locked-out login attempt into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "zlogin.urls"
WSGI_APPLICATION = "zlogin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.portal",
                "berichtenbox.context_processors.unread",
                "ketenmachtigingen.context_processors.rules",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # A database that does not answer is an error in seconds, not a hanging request: when
    # connecting, and on a connection whose server stopped answering (a frozen host, a network
    # cut without a reset), where a request would otherwise wait for TCP to give up (minutes).
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options.setdefault("connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5))
    options.setdefault("tcp_user_timeout", 1000 * env.int("DATABASE_TCP_USER_TIMEOUT", default=5))
    options.setdefault("keepalives", 1)
    options.setdefault("keepalives_idle", 30)
    options.setdefault("keepalives_interval", 10)
    options.setdefault("keepalives_count", 3)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- people and login -------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "two_factor:login"
LOGIN_REDIRECT_URL = "ketenmachtigingen:overview"
LOGOUT_REDIRECT_URL = "two_factor:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sessions end after this many seconds without a request (idle timeout).
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_TIMEOUT", default=15 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# ... and SESSION_ABSOLUTE_LIFETIME seconds after the login, however active it is kept.
SESSION_ABSOLUTE_LIFETIME = env.int("SESSION_ABSOLUTE_LIFETIME", default=12 * 60 * 60)

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Activation links for a new password expire after an hour and work once.
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60)

# Brute force: after 5 failed attempts (password or code) for one username from one address,
# that combination is locked for 15 minutes; the same username from another address, and other
# people behind the same address (an office, a proxy), can still log in.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Guessing across many usernames from one address is slowed, not locked: after this many
# failures from an address within the lockout time, each failure makes the next attempt wait
# LOGIN_ADDRESS_PACE_SECONDS. Guessing one username from many addresses: after this many
# failures it is locked for browsers it was not used in before (accounts/throttle.py).
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=20)
LOGIN_ADDRESS_PACE_SECONDS = env.int("LOGIN_ADDRESS_PACE_SECONDS", default=5)
LOGIN_USERNAME_FAILURE_LIMIT = env.int("LOGIN_USERNAME_FAILURE_LIMIT", default=20)
# The proxies in front (addresses or networks, e.g. the TLS proxy's): only from them are
# X-Forwarded-For and X-Forwarded-Proto believed (accounts/addresses.py). Empty: from nobody.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
# Login with the PKI certificate of an EH4 middel (accounts/certificates.py). The TLS proxy asks
# for a client certificate, verifies it against the trusted CA(s) and passes it on, URL-encoded
# PEM (nginx: $ssl_client_escaped_cert), in CERTIFICATE_LOGIN_HEADER, and its verdict (nginx:
# $ssl_client_verify, which must say SUCCESS) in CERTIFICATE_LOGIN_VERIFY_HEADER (empty: none
# is asked for). Those headers are believed only from the addresses or networks in
# CERTIFICATE_LOGIN_PROXIES; from anyone else they are dropped. The portal checks the
# certificate again against CERTIFICATE_LOGIN_CA_FILE (nginx's ssl_client_certificate) and
# CERTIFICATE_LOGIN_CRL_FILE (nginx's ssl_crl). Off unless both the proxies and the CA file are
# set (`make run-tls` sets them for its local proxy).
CERTIFICATE_LOGIN_HEADER = env.str("CERTIFICATE_LOGIN_HEADER", default="X-SSL-Client-Cert")
CERTIFICATE_LOGIN_VERIFY_HEADER = env.str(
    "CERTIFICATE_LOGIN_VERIFY_HEADER", default="X-SSL-Client-Verify"
)
CERTIFICATE_LOGIN_PROXIES = env.list("CERTIFICATE_LOGIN_PROXIES", default=[])
CERTIFICATE_LOGIN_CA_FILE = env.str("CERTIFICATE_LOGIN_CA_FILE", default="")
CERTIFICATE_LOGIN_CRL_FILE = env.str("CERTIFICATE_LOGIN_CRL_FILE", default="")
# The lockout counts IPv6 clients by their /64, as the rate limits do.
AXES_CLIENT_IP_CALLABLE = "accounts.addresses.lockout_key"
# "Wachtwoord vergeten" and "Gebruikersnaam vergeten": requests per address (both pages
# together), and at most one mail of each per account per RECOVERY_MAIL_INTERVAL_SECONDS.
RECOVERY_RATE_PER_ADDRESS = env.str("RECOVERY_RATE_PER_ADDRESS", default="10/h")
RECOVERY_MAIL_INTERVAL_SECONDS = env.int("RECOVERY_MAIL_INTERVAL_SECONDS", default=5 * 60)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.login.lockout_response"
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "Z login"
TWO_FACTOR_SMS_GATEWAY = env.str("SMS_GATEWAY", default="accounts.sms.LogGateway")
TWO_FACTOR_REMEMBER_COOKIE_AGE = None
PHONENUMBER_DEFAULT_REGION = "NL"

# --- language and time ------------------------------------------------------------------------
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

# --- static files -----------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env.bool("STATIC_MANIFEST", default=not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")

# --- mail -------------------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Z login <noreply@zlogin.nl>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)

# --- jobs ----------------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
# Without a broker the tasks run in-process (the embedded default).
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL or None)
# At least once: a task is acknowledged when it has finished, and given back to the broker when
# the process running it dies; prefetch one at a time, so a dying worker holds few.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Every task has a time limit; the longest (the nightly jobs, the prunes) get 20 minutes. A
# task that no worker acknowledges within the visibility timeout (its worker was killed) is
# handed out again: it must be longer than the longest task. Deliveries don't wait for it:
# the outbox sweep offers them again after OUTBOX_DISPATCH_LEASE_SECONDS.
CELERY_TASK_SOFT_TIME_LIMIT = 5 * 60
CELERY_TASK_TIME_LIMIT = 5 * 60 + 30
NIGHTLY_JOBS_TIME_LIMIT = 20 * 60
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=30 * 60),
}
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# The nightly jobs (ketenmachtigingen/jobs/) at 02:15 Amsterdam time. On the nights the clocks
# change, 02:15 is skipped or comes twice; harmless, as every job takes all rows due up to its
# day (a missed run is caught up the next night) and a second run finds nothing left. For the
# same reason a run that no worker started within 12 hours is dropped.
CELERY_BEAT_SCHEDULE = {
    "nightly-jobs": {
        "task": "ketenmachtigingen.tasks.run_nightly_jobs",
        "schedule": crontab(hour=2, minute=15),
        "options": {"expires": 12 * 60 * 60},
    },
    "prune-check-log": {
        "task": "api.tasks.prune_check_log_task",
        "schedule": crontab(hour=3, minute=30),
        "options": {"expires": 12 * 60 * 60},
    },
    "prune-outbox": {
        "task": "outbox.prune",
        "schedule": crontab(hour=3, minute=45),
        "options": {"expires": 12 * 60 * 60},
    },
}

# --- the outbox: side effects (mails, bulk rows) delivered from the database ----------------
# The sweep offers the workers what is due and not with one, this often (seconds).
OUTBOX_SWEEP_SECONDS = env.int("OUTBOX_SWEEP_SECONDS", default=60)
OUTBOX_SWEEP_BATCH = env.int("OUTBOX_SWEEP_BATCH", default=1000)
# A message a worker took and did not finish within this many seconds is offered again (the
# worker died): longer than a delivery's time limit. One handed to the broker and taken by no
# worker within OUTBOX_QUEUE_LEASE_SECONDS is offered again (the broker lost it): long enough
# for a busy queue.
OUTBOX_DELIVERY_TIME_LIMIT = env.int("OUTBOX_DELIVERY_TIME_LIMIT", default=120)
OUTBOX_DISPATCH_LEASE_SECONDS = env.int("OUTBOX_DISPATCH_LEASE_SECONDS", default=300)
OUTBOX_QUEUE_LEASE_SECONDS = env.int("OUTBOX_QUEUE_LEASE_SECONDS", default=30 * 60)
# Delivered and skipped messages are deleted after this many days (every night); failed ones
# stay until staff send them again.
OUTBOX_RETENTION_DAYS = env.int("OUTBOX_RETENTION_DAYS", default=90)
# Attempts per message, the first retry after OUTBOX_RETRY_SECONDS, doubling up to the maximum:
# with the defaults, a mail server that is down for up to four hours delays mail, no more.
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=10)
OUTBOX_RETRY_SECONDS = env.int("OUTBOX_RETRY_SECONDS", default=60)
OUTBOX_RETRY_MAX_SECONDS = env.int("OUTBOX_RETRY_MAX_SECONDS", default=60 * 60)
CELERY_BEAT_SCHEDULE["outbox-sweep"] = {
    "task": "outbox.sweep",
    "schedule": timedelta(seconds=OUTBOX_SWEEP_SECONDS),
    "options": {"expires": OUTBOX_SWEEP_SECONDS},
}
if OUTBOX_DISPATCH_LEASE_SECONDS <= OUTBOX_DELIVERY_TIME_LIMIT:
    raise ImproperlyConfigured(
        "OUTBOX_DISPATCH_LEASE_SECONDS must be longer than OUTBOX_DELIVERY_TIME_LIMIT."
    )

# --- metrics (Prometheus) ------------------------------------------------------------------------
# GET /metrics answers only `Authorization: Bearer <METRICS_TOKEN>`; empty (the default): the
# endpoint is off and answers 404, as it does to a missing or wrong token (zlogin/metrics.py).
# Under gunicorn set PROMETHEUS_MULTIPROC_DIR (for the web processes only: an empty directory,
# on tmpfs, emptied at each start by gunicorn.conf.py) so that a scrape adds up all workers.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
if METRICS_TOKEN and len(METRICS_TOKEN) < 32:
    raise ImproperlyConfigured(
        "METRICS_TOKEN must be at least 32 characters: "
        "python -c 'import secrets; print(secrets.token_urlsafe(32))'"
    )
# The request latency histograms' buckets (seconds, django-prometheus): a check takes a few ms.
PROMETHEUS_LATENCY_BUCKETS = (
    *(0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5),
    *(1.0, 2.5, 5.0, 10.0, 30.0, float("inf")),
)

# --- cache ----------------------------------------------------------------------------------------
CACHE_TIMEOUT = env.float("CACHE_TIMEOUT", default=2.0)
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"].endswith(".RedisCache"):
    # A cache that hangs must not hang the pages (the login throttle asks it on every attempt).
    CACHES["default"].setdefault("OPTIONS", {}).update(
        socket_connect_timeout=CACHE_TIMEOUT, socket_timeout=CACHE_TIMEOUT
    )

# --- authorization check API
# Requests per API client per minute (counted in CACHES["default"]; use Redis with several
# processes). High by default so that a benchmark is not throttled.
API_RATE_LIMIT_PER_MINUTE = env.int("API_RATE_LIMIT_PER_MINUTE", default=50_000)
# Ketenmachtiging.last_used_at and ApiKey.last_used_at are written at most once per this many
# seconds each, not on every check.
API_LAST_USED_INTERVAL = env.int("API_LAST_USED_INTERVAL", default=300)
# The check's queries are prepared on PostgreSQL (planned once per connection). Turn off behind
# a pooler that cannot keep prepared statements (PgBouncer in transaction mode before 1.21).
API_PREPARED_STATEMENTS = env.bool("API_PREPARED_STATEMENTS", default=True)
# Each process writes its checks' log rows (and the ketenmachtigingen' last use) in one batch
# every this many seconds, from a thread of its own (api/checklog.py): a killed process loses
# that moment's rows. 0: every row within its request.
API_CHECK_LOG_FLUSH_SECONDS = env.float("API_CHECK_LOG_FLUSH_SECONDS", default=0.2)
# Check log rows are deleted after this many days (every night at 03:30).
API_CHECK_LOG_RETENTION_DAYS = env.int("API_CHECK_LOG_RETENTION_DAYS", default=180)
# A row written within its request (see above), and ApiKey.last_used_at, are written without
# waiting for the disk (PostgreSQL synchronous_commit off for those statements only): a crash of
# the database server may lose the last fraction of a second of them. True makes them wait.
API_CHECK_LOG_DURABLE = env.bool("API_CHECK_LOG_DURABLE", default=False)
# Each process remembers API keys and diensten it looked up for this many seconds (0: never):
# a revoked key or a changed dienst takes that long to reach every process.
API_LOOKUP_CACHE_SECONDS = env.int("API_LOOKUP_CACHE_SECONDS", default=5)

# --- company register (KVK) -------------------------------------------------------------------
# "local": the register table with demo companies; "kvk": the KVK API.
COMPANY_REGISTER = env.str("COMPANY_REGISTER", default="local")
KVK_API_URL = env.str("KVK_API_URL", default="https://api.kvk.nl/test/api")
KVK_API_KEY = env.str("KVK_API_KEY", default="")
KVK_API_TIMEOUT = env.float("KVK_API_TIMEOUT", default=5.0)

ADMIN_URL = env.str("ADMIN_URL", default="admin/")

# --- the product ----------------------------------------------------------------------------
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000")
ZLOGIN_POSTAL_ADDRESS = env.list(
    "ZLOGIN_POSTAL_ADDRESS",
    default=[
        "Z login eHerkenning",
        "t.a.v. Ketenmachtigingen",
        "Antwoordnummer 1234",
        "8200 VB Lelystad",
    ],
)
# Z login's public website (contact options, "Vragen over het vervolg?" in the mails) and its
# page with the current tarieven (the request form), where the manual links to them.
ZLOGIN_WEBSITE_URL = env.str("ZLOGIN_WEBSITE_URL", default="https://www.zlogin.nl")
ZLOGIN_TARIEVEN_URL = env.str("ZLOGIN_TARIEVEN_URL", default="https://www.zlogin.nl/tarieven")

# --- security --------------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Asked over plain http inside the network (the container's health check, Prometheus): a
# redirect to https there would fail them. Neither sets a cookie nor reads a session.
SECURE_REDIRECT_EXEMPT = [r"^health/", r"^metrics$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
# An expired form gets the portal's own page with a way back, not Django's technical one.
CSRF_FAILURE_VIEW = "zlogin.errors.csrf_failure"
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Scripts only from the portal's own files (htmx is vendored; no inline script anywhere).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# No browser feature the portal does not use.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024

# --- logging -----------------------------------------------------------------------------------
# One line per event, for Django, Celery and gunicorn alike (zlogin/logformat.py, which
# gunicorn.conf.py uses too): JSON in production, readable lines in development, timestamps in
# UTC. Every line of a request, and of the Celery tasks and outbox deliveries it set off,
# carries its request_id (django-structlog; the request's X-Request-ID when a trusted proxy
# sends one).
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEBUG else "json")
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": logformat.formatters(json_extra=[structlog.stdlib.ExtraAdder()]),
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's own handlers (DEFAULT_LOGGING: a console one in development, mail to ADMINS
        # in production) are replaced: its lines go once, through the root's handler.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint logs about ten INFO lines per PDF.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # django-structlog's own lines per request and task: one each is enough.
        "django_structlog": {"level": env.str("LOG_REQUESTS_LEVEL", default="WARNING")},
    },
}
structlog.configure(
    processors=[
        structlog.stdlib.filter_by_level,
        *logformat.PROCESSORS,
        structlog.stdlib.PositionalArgumentsFormatter(),
        structlog.processors.StackInfoRenderer(),
        structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
    ],
    logger_factory=structlog.stdlib.LoggerFactory(),
    wrapper_class=structlog.stdlib.BoundLogger,
    cache_logger_on_first_use=True,
)
DJANGO_STRUCTLOG_CELERY_ENABLED = True
# A proxy's X-Request-ID is kept (accounts/addresses.py drops it from anyone else).
DJANGO_STRUCTLOG_TRUST_UPSTREAM_REQUEST_ID = True
# The client's address is bound by accounts.addresses, from what ClientAddressMiddleware found.
DJANGO_STRUCTLOG_IP_LOGGING_ENABLED = False
# Celery logs through the configuration above instead of its own (zlogin/celery.py).

if DEBUG:
    # Keep the embedded default's files together.
    VAR_DIR.mkdir(exist_ok=True)
