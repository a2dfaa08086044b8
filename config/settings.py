"""Settings for the publicity quota & credit app, read from the environment.

SQLite is the zero-setup default; set DATABASE_URL for PostgreSQL in production.
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from config.database import database_settings

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str = "False") -> bool:
    value = os.getenv(name, default)
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be True or False, got {value!r}")


def envint(name: str, default: str) -> int:
    value = os.getenv(name, default)
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


# DJANGO_ENV=production turns on the deployment checklist (see README "部署"); anything else is
# development, where a fixed dev key is allowed so the README's commands work on a fresh clone.
ENVIRONMENT = os.getenv("DJANGO_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"
DEBUG = envbool("DEBUG", "False" if PRODUCTION else "True")
SECRET_KEY = os.getenv("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY is not set: production refuses to start without one.")
    SECRET_KEY = "dev-only-insecure-key-not-for-production-" + "x" * 20

ALLOWED_HOSTS = [h.strip() for h in os.getenv("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.getenv("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "import_export",
    "django_tasks",
    "django_tasks_db",
    "units",
    "jobs",
    "publicity",
    "website",
    "figures",
    "campaigns",
    "scoring",
    "reports",
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
    "config.middleware.DatabaseBusyMiddleware",  # SQLite still locked after its timeout: a Chinese 503
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# On SQLite: WAL journal, IMMEDIATE transactions and a 20 s busy timeout (config/database.py), so the
# later of two writers waits and gets the services' Chinese message, not "database is locked".
DATABASES = {
    "default": database_settings(
        os.getenv("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=envint("CONN_MAX_AGE", "60"),
    )
}

# A PostgreSQL read replica for reports (docs/deployment.md): report pages and report jobs read from it
# through units.routers; every write and everything else uses "default".
if os.getenv("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = database_settings(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=envint("CONN_MAX_AGE", "60")
    )
READ_REPLICA_ENABLED = "replica" in DATABASES
DATABASE_ROUTERS = ["units.routers.ReplicaRouter"]

# Cache and sessions in Redis when REDIS_URL is set, so any app server can answer any request
# (docs/deployment.md). Sessions stay in the database too (cached_db): Redis serves the reads, a Redis
# restart signs nobody out, and ending a user's sessions (audit.services) still finds them all.
# Without REDIS_URL: each process's own memory cache and database sessions (the SQLite demo needs nothing).
REDIS_URL = os.getenv("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.getenv("CACHE_KEY_PREFIX", "publicity"),
            "TIMEOUT": 300,
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

AUTH_USER_MODEL = "units.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.getenv("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(os.getenv("MEDIA_ROOT", BASE_DIR / "media"))
# Uploaded evidence is never served from a public URL; see desk.evidence (access-checked).
MEDIA_URL = "/media-not-served/"
# Evidence and job files: local files under MEDIA_ROOT by default; S3-compatible object storage (MinIO, a
# cloud's OSS/COS/OBS) when MEDIA_STORAGE=s3, so several app servers and workers share them
# (django-storages; needs `pip install boto3`). Private: files are only handed out by access-checked views.
MEDIA_STORAGE = os.getenv("MEDIA_STORAGE", "local")
if MEDIA_STORAGE not in ("local", "s3"):
    raise ImproperlyConfigured(f"MEDIA_STORAGE must be local or s3, got {MEDIA_STORAGE!r}")
_DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if MEDIA_STORAGE == "s3":
    _DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("S3_BUCKET", ""),
            "endpoint_url": os.getenv("S3_ENDPOINT_URL") or None,
            "region_name": os.getenv("S3_REGION") or None,
            "access_key": os.getenv("S3_ACCESS_KEY") or None,
            "secret_key": os.getenv("S3_SECRET_KEY") or None,
            "location": os.getenv("S3_PREFIX", "media"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
    if not _DEFAULT_STORAGE["OPTIONS"]["bucket_name"]:
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs S3_BUCKET.")
STORAGES = {
    "default": _DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": os.getenv("STATICFILES_BACKEND", "whitenoise.storage.CompressedManifestStaticFilesStorage")
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Evidence uploads (photos, screenshots, PDFs) and Excel imports.
EVIDENCE_MAX_BYTES = envint("EVIDENCE_MAX_BYTES", str(10 * 1024 * 1024))
# Checked from the image header before any pixel is decoded (publicity.upload_guard): 40 megapixels
# (an A4 page scanned at 600 dpi is 35) costs at most ~160 MB to decode and re-encode.
EVIDENCE_MAX_PIXELS = envint("EVIDENCE_MAX_PIXELS", "40000000")
# Campaign videos (campaigns app): MP4/WebM, checked by content; a phone's 2-3 minute clip fits.
CAMPAIGN_VIDEO_MAX_BYTES = envint("CAMPAIGN_VIDEO_MAX_BYTES", str(200 * 1024 * 1024))
IMPORT_MAX_BYTES = envint("IMPORT_MAX_BYTES", str(20 * 1024 * 1024))
# A sheet's used range (A1 to its farthest cell) is checked before the reader builds it (sheets/extent.py):
# a stray cell at XFD1048576 would otherwise make python-calamine allocate ~512 GB and abort the process.
IMPORT_MAX_ROWS = envint("IMPORT_MAX_ROWS", "200000")
IMPORT_MAX_COLUMNS = envint("IMPORT_MAX_COLUMNS", "200")
IMPORT_MAX_CELLS = envint("IMPORT_MAX_CELLS", "5000000")
# A statistics table with more rows than this is written by the background worker (with progress) when the
# admin's import is confirmed; the command line always imports in the foreground.
IMPORT_INLINE_MAX_ROWS = envint("IMPORT_INLINE_MAX_ROWS", "5000")
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# django-import-export: only staff with the model's add/view permission may import/export.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
IMPORT_EXPORT_IMPORT_IGNORE_BLANK_LINES = True
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
# Safety net for any tablib-format export: a leading "=" is dropped. The app's own xlsx exports
# (publicity.table_resources.SafeXLSX) instead keep the text and type the cell as a string, which is inert too.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True

# Background work (jobs app): django-tasks with its database backend, so the queue needs no extra
# service; the worker is `manage.py db_worker` (README, docs/deployment.md). Tests use the immediate backend.
TASKS = {
    "default": {
        "BACKEND": os.getenv("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Years with more approved pieces than this get their workbook and results PDF from the background
# worker instead of during the request (a province's workbook takes minutes).
REPORT_INLINE_MAX_PIECES = envint("REPORT_INLINE_MAX_PIECES", "20000")

# E-mail (reminders: publicity/reminders.py, manage.py send_reminders). The console backend prints each
# message where the server runs; set EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and the
# EMAIL_HOST… variables to send through the bureau's mail server.
EMAIL_BACKEND = os.getenv("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.getenv("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "25")
EMAIL_HOST_USER = os.getenv("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.getenv("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "False")
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", "False")
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", "30")
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "xuanchuan@localhost")

# Optional path to a TrueType CJK font for PDFs (reports); see reports/pdf.py.
PDF_CJK_FONT = os.getenv("PDF_CJK_FONT", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "WARNING")},
}
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# =====================================================================================
# 安全 · Security (owner: security; README “安全 · Security”). 等保2.0 level 2 / ASVS L2.
# Kept in one block on purpose: it rewires the lists above instead of editing them in place.
# =====================================================================================
import datetime as _dt  # noqa: E402

# The admin site opens by role (三员分立): audit.admin_site.RoleAdminSite replaces the default site.
INSTALLED_APPS[INSTALLED_APPS.index("django.contrib.admin")] = "audit.apps.RoleAdminConfig"
INSTALLED_APPS += ["axes", "audit", "ops", "desk", "csp"]  # axes before audit: its login signal handlers run first

# After authentication and messages (the idle logout leaves a message for the login page).
_AFTER = MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1
MIDDLEWARE[_AFTER:_AFTER] = [
    "audit.middleware.AuditContextMiddleware",  # who/where for the audit trail; records 403s
    "audit.middleware.SessionSecurityMiddleware",  # idle timeout, sessions of disabled users
    "audit.middleware.ForcePasswordChangeMiddleware",  # initial password must be changed
    "audit.middleware.NoStoreMiddleware",  # signed-in pages and files: Cache-Control no-store
]
MIDDLEWARE += [
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

# Lockout first, then password sign-in; permissions come from role flags (audit/permissions.py).
AUTHENTICATION_BACKENDS = ["audit.backends.LockoutBackend", "audit.backends.RoleBackend"]

# Passwords: ≥ 8 characters, 3 of 4 classes, not common, not like the user's name (等保 口令复杂度).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "units.validators.ComplexityValidator", "OPTIONS": {"min_length": 8, "min_classes": 3}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# 5 failed sign-ins lock the account (by username, whatever the IP) for 30 minutes (django-axes 8).
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = _dt.timedelta(minutes=envint("AXES_COOLOFF_MINUTES", "30"))
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 asks for the IP as a lockout key too. Not here: a bureau's units sit behind a few shared
# NAT addresses, so locking an IP would lock a whole office out because of one person's typos. The
# per-account limit is what 等保 asks for, and rotating IPs or user agents does not reset it.
SILENCED_SYSTEM_CHECKS = [*globals().get("SILENCED_SYSTEM_CHECKS", []), "axes.W006"]
AXES_RESET_ON_SUCCESS = True  # "5 consecutive failures": a good sign-in starts the count again
AXES_LOCKOUT_CALLABLE = "desk.audit_log.lockout_response"
AXES_CLIENT_IP_CALLABLE = "audit.context.client_ip"
AXES_VERBOSE = False

# Sessions end after 30 minutes idle (audit.middleware.SessionSecurityMiddleware), at logout, when
# the browser closes, and at once when the account is disabled (audit.services.user_set_active).
SESSION_IDLE_TIMEOUT = envint("SESSION_IDLE_TIMEOUT", "1800")
# The stored session outlives the idle timeout (12 hours), so that the idle user's next request finds
# it and the middleware signs them out *and records it* (会话超时); a session row that expired with the
# timeout would just vanish, leaving no trace in the audit trail. The 30 minutes are enforced by the
# middleware from the last activity; the cookie itself ends when the browser closes.
SESSION_COOKIE_AGE = max(SESSION_IDLE_TIMEOUT, envint("SESSION_STORE_SECONDS", str(12 * 3600)))
SESSION_TOUCH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Audit trail: kept at least 185 days (purge_audit refuses anything newer).
AUDIT_RETENTION_DAYS = 185
# Trust X-Forwarded-For for the client IP only behind a proxy that overwrites it.
AUDIT_TRUST_X_FORWARDED_FOR = envbool("TRUST_X_FORWARDED_FOR", "False")

# HTTP hardening. In production everything is on; behind a TLS-terminating reverse proxy set
# SECURE_PROXY_SSL_HEADER=True (the proxy must set X-Forwarded-Proto) or SECURE_SSL_REDIRECT=False
# if the proxy already redirects.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "True" if PRODUCTION else "False")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the load balancer's plain-HTTP probe
if envbool("SECURE_PROXY_SSL_HEADER", "False"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", "True" if PRODUCTION else "False")
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", "True" if PRODUCTION else "False")
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "31536000" if PRODUCTION else "0")
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "True" if PRODUCTION else "False")
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "True" if PRODUCTION else "False")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy, sent by django-csp (csp.middleware.CSPMiddleware). Scripts only from our own
# static files: no 'unsafe-inline' (templates carry no inline script or on* handler; a script that
# cannot move to a file takes a nonce, {{ request.csp_nonce }}, added to the header only when used).
# Inline styles stay allowed. A view that sets its own policy keeps it (evidence files are sandboxed).
from csp.constants import NONCE, NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
