"""Cairn settings.

Every difference between environments is an environment variable. With none set,
Cairn runs the embedded demo: SQLite, tasks run in process, did:key issuers.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {
        "1",
        "true",
        "yes",
        "on",
    }


def envsecret(name: str, default: str = "") -> str:
    """Read NAME, or the file named by NAME_FILE (for container secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.environ.get(name, default)


DEBUG = envbool("DEBUG", False)

SECRET_KEY = envsecret("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-embedded-demo-key-never-use-in-production"  # noqa: S105

# The public address of this site: used in credential URLs and for did:web.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
_site_host = urlsplit(SITE_URL).hostname or "127.0.0.1"

ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()
] or [_site_host, "127.0.0.1", "localhost", "testserver"]
CSRF_TRUSTED_ORIGINS = [SITE_URL]

INSTALLED_APPS = [
    # The admin site with Cairn's rate-limited login (accounts/admin_site.py).
    "accounts.admin_site.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    # Identity: allauth's account flows and its OpenID Connect and SAML 2.0 providers
    # (docs/decisions/0006-accounts-app.md); Cairn's own accounts app sits beside it.
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    # OAuth 2.0 for other systems (docs/decisions/0015-api-credentials.md).
    "oauth2_provider",
    "accounts",
    "curriculum",
    "reviews",
    "assessments",
    "pathways",
    "credentials",
    "analytics",
    "integrations",
    # On top of them all: each person's home page (docs/decisions/0021).
    "home",
]

MIDDLEWARE = [
    # Outermost: sees the session cookie and framing headers last (LTI frames).
    "integrations.lti.middleware.LtiFrameMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files: runserver serves them under DEBUG, WhiteNoise otherwise.
    *([] if DEBUG else ["whitenoise.middleware.WhiteNoiseMiddleware"]),
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # NUL characters and absurdly nested JSON: 400 before any view reads them.
    "accounts.middleware.HostileInputMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.audit.ActingViaMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
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
                "accounts.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        # A new connection per request costs 10x throughput (shared PITFALLS.md).
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # PostgreSQL's JIT compiles a query whose estimated cost is high, which at a
    # state system's size is every aggregate over a table: seconds of compiling
    # for queries that then run in milliseconds (bench/bench_scale.py).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The embedded demo: SQLite cannot keep NULLS NOT DISTINCT unique constraints;
    # PostgreSQL, where the real data lives, enforces them. Nor covering
    # indexes' INCLUDE columns (the grading queue's counts): it keeps the index
    # on its key columns alone.
    SILENCED_SYSTEM_CHECKS = ["models.W047", "models.W040"]

_VALIDATION = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"{_VALIDATION}.UserAttributeSimilarityValidator"},
    {"NAME": f"{_VALIDATION}.MinimumLengthValidator"},
    {"NAME": f"{_VALIDATION}.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# allauth: e-mail addresses (and whether each is verified) live in its EmailAddress,
# the one record both the account lifecycle and single sign-on read.
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_UNIQUE_EMAIL = True
# Sign-up is open only through an organization's self-registration link, for
# the e-mail domains it accepts (accounts/lifecycle/adapter.py).
ACCOUNT_ADAPTER = "accounts.lifecycle.adapter.AccountAdapter"
# A reset link for an unknown address says nothing of whether it exists.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Cairn] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https://") else "http"
SOCIALACCOUNT_STORE_TOKENS = False
# Single sign-on (accounts/sso, docs/decisions/0013): each organization's
# identity providers are allauth apps built by the adapter; a first sign-in
# makes the account (no sign-up form), an existing account is joined only by an
# e-mail both sides verified (never by allauth's e-mail authentication).
SOCIALACCOUNT_ADAPTER = "accounts.sso.adapter.SocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_REQUESTS_TIMEOUT = 10

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# Dates read by people: two formats, defined once (config/formats/en/formats.py).
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "static"))
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
MEDIA_URL = "media/"

# Uploaded and generated files (evidence, recognition files, certificates, badge
# images) sit under MEDIA_ROOT, or in an S3-compatible bucket when one is named
# (AWS S3, MinIO, Ceph, Cloudflare R2...). Nothing is public either way: Cairn
# serves each file through a view that checks who is asking, so objects are
# private and MEDIA_URL is routed nowhere.
CAIRN_S3_BUCKET = os.environ.get("CAIRN_S3_BUCKET", "")


def s3_storage(
    bucket: str, *, endpoint_url: str = "", region: str = "", location: str = ""
) -> dict:
    """STORAGES["default"] for a private S3-compatible bucket. Credentials come
    from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or boto3's usual chain)."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint_url or None,
            "region_name": region or None,
            "location": location,
            "default_acl": "private",
            # A URL made by mistake (FieldFile.url) is signed and short-lived,
            # never a public link to a learner's file.
            "querystring_auth": True,
            "querystring_expire": 300,
            # Two evidence files with one name must not replace each other, as
            # they do not on the local disk.
            "file_overwrite": False,
            "signature_version": "s3v4",
            # Services other than AWS (MinIO, Ceph) answer bucket paths, not
            # bucket host names.
            "addressing_style": "path" if endpoint_url else None,
        },
    }


STORAGES = {
    "default": s3_storage(
        CAIRN_S3_BUCKET,
        endpoint_url=os.environ.get("CAIRN_S3_ENDPOINT_URL", ""),
        region=os.environ.get("CAIRN_S3_REGION", ""),
        location=os.environ.get("CAIRN_S3_PREFIX", ""),
    )
    if CAIRN_S3_BUCKET
    else {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Evidence uploads: the largest file accepted, in bytes.
CAIRN_MAX_UPLOAD_BYTES = int(os.environ.get("CAIRN_MAX_UPLOAD_BYTES", 10 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

REDIS_URL = os.environ.get("REDIS_URL", "")

# Public endpoints that do real work per request are limited per client and
# minute (accounts/ratelimit.py). Behind a reverse proxy, say how many proxies
# stand in front of Cairn so that the client's address is read from
# X-Forwarded-For; 0 (the default) trusts no such header.
CAIRN_PROXY_COUNT = int(os.environ.get("CAIRN_PROXY_COUNT", 0))
CAIRN_VERIFY_PER_MINUTE = int(os.environ.get("CAIRN_VERIFY_PER_MINUTE", 30))
CAIRN_LOGINS_PER_MINUTE = int(os.environ.get("CAIRN_LOGINS_PER_MINUTE", 10))
# A web process (config/wsgi.py) lays out a sample certificate and the
# certificates of this many achievements most recently awarded when it starts,
# so that first requests of certificates answer warm; -1 warms nothing.
CAIRN_CERTIFICATE_WARMUP = int(os.environ.get("CAIRN_CERTIFICATE_WARMUP", 8))
# Prefix of every key Cairn keeps in the cache (config/cache.py make_key).
# The tests give each test its own, and a real worker they start the test's.
CAIRN_CACHE_NAMESPACE = os.environ.get("CAIRN_CACHE_NAMESPACE", "cairn")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_FUNCTION": "config.cache.make_key",
        }
    }

# Celery: with REDIS_URL a real broker and worker; without, tasks run in process.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
# At-least-once delivery: a message is acknowledged only after its task ran,
# and one whose worker died (kill -9, out of memory) goes back to the queue;
# every task is idempotent, with the database's unique constraints the last
# guard. Redis hands an unacknowledged message to another worker after the
# visibility timeout, which must outlast the longest task (bulk jobs run
# minutes, not an hour). Each worker process takes one message at a time, so
# none is hoarded by a busy process.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_DEFAULT_QUEUE = "default"
# One table of routes: signing and PDF work scale apart from the rest.
CELERY_TASK_ROUTES = {
    "credentials.tasks.issue_*": {"queue": "signing"},
    "credentials.tasks.reissue_*": {"queue": "signing"},
    "credentials.tasks.render_*": {"queue": "pdf"},
    "credentials.tasks.revoke_*": {"queue": "signing"},
    "credentials.tasks.erase_*": {"queue": "signing"},
    "credentials.tasks.notify_*": {"queue": "mail"},
    "credentials.tasks.mail_*": {"queue": "mail"},
    "credentials.tasks.rerender_*": {"queue": "bulk"},
    "credentials.tasks.run_bulk_award": {"queue": "bulk"},
    "pathways.tasks.run_reevaluation": {"queue": "bulk"},
    "pathways.tasks.run_roster_import": {"queue": "bulk"},
    "accounts.people.tasks.send_*": {"queue": "mail"},
    "accounts.notifications.tasks.*": {"queue": "mail"},
    "curriculum.tasks.run_framework_import": {"queue": "bulk"},
    "assessments.tasks.run_grade_import": {"queue": "bulk"},
    "pathways.tasks.*": {"queue": "default"},
    "reviews.tasks.*": {"queue": "mail"},
    "integrations.webhooks.tasks.notify_*": {"queue": "mail"},
    # Deliveries wait on other people's servers: their own queue, so a slow
    # receiver never holds up signing or mail.
    "integrations.webhooks.tasks.*": {"queue": "webhooks"},
    # LMS syncs wait on other people's servers too (integrations/lti).
    "integrations.lti.tasks.*": {"queue": "webhooks"},
}
# The sweeps find, from the database alone, work whose message was lost (a
# broker outage, a process killed between commit and send) and queue it again:
# pathway evaluations, awards, PDFs, bulk jobs whose worker died. Work younger
# than the grace period is left to the message already sent for it; a running
# bulk job silent for CAIRN_JOB_STALE_SECONDS has lost its worker.
CAIRN_SWEEP_SECONDS = float(os.environ.get("CAIRN_SWEEP_SECONDS", 300))
CAIRN_SWEEP_GRACE_SECONDS = int(os.environ.get("CAIRN_SWEEP_GRACE_SECONDS", 120))
# A person's notifications e-mailed together: the e-mail goes this long after
# the first, with all made meanwhile (a grade release and the credentials it
# brings). In process (tasks run eagerly) each is sent at once.
CAIRN_MAIL_BURST_SECONDS = float(
    os.environ.get("CAIRN_MAIL_BURST_SECONDS", 0 if CELERY_TASK_ALWAYS_EAGER else 30)
)
CAIRN_JOB_STALE_SECONDS = int(os.environ.get("CAIRN_JOB_STALE_SECONDS", 300))
# The analytics page's figures are kept this long in the cache: they aggregate
# every completion, grade and award of an organization (seconds of SQL at a
# state system's size, bench/bench_scale.py); the page says when they were read.
CAIRN_ANALYTICS_CACHE_SECONDS = int(
    os.environ.get("CAIRN_ANALYTICS_CACHE_SECONDS", 300)
)
CELERY_BEAT_SCHEDULE = {
    "sweep": {
        "task": "credentials.tasks.sweep",
        "schedule": CAIRN_SWEEP_SECONDS,
    },
    "send-expiry-notices": {
        "task": "credentials.tasks.send_expiry_notices",
        # Hourly: each notice is sent once (ExpiryNotice's unique constraint),
        # within an hour of its threshold.
        "schedule": 3600.0,
    },
    "remind-due-reviews": {
        "task": "reviews.tasks.remind_due_reviews",
        "schedule": 6 * 3600.0,  # reminds each round at most once a day
    },
    "remind-overdue-grading": {
        "task": "assessments.tasks.remind_overdue_grading",
        "schedule": 24 * 3600.0,  # each grader is told of each submission once
    },
    "send-daily-digests": {
        "task": "accounts.notifications.tasks.send_daily_digests",
        # Once a day: each digest lists the last day's unread notifications
        # not e-mailed yet, and marks them e-mailed.
        "schedule": 24 * 3600.0,
    },
    "send-due-webhooks": {
        "task": "integrations.webhooks.tasks.send_due_deliveries",
        "schedule": 60.0,  # the shortest retry delay
    },
    "sync-lti-courses": {
        "task": "integrations.lti.tasks.sync_all_courses",
        # LMS grades and rosters read every 15 minutes, and on every launch.
        "schedule": float(os.environ.get("CAIRN_LTI_SYNC_SECONDS", 900)),
    },
}

# Machines call the API with a bearer token: Cairn's own personal access and
# service-account tokens or an OAuth 2.0 access token. Each is checked against
# the endpoint's scope (integrations/tokens/scopes.py) and limited per token
# and minute. Browsers keep their session. The first class answers a request
# without credentials: 401 with a Bearer challenge.
CAIRN_TOKEN_REQUESTS_PER_MINUTE = int(
    os.environ.get("CAIRN_TOKEN_REQUESTS_PER_MINUTE", 600)
)
CAIRN_TOKEN_MAX_DAYS = int(os.environ.get("CAIRN_TOKEN_MAX_DAYS", 366))

# The scopes every kind of token carries (integrations.models.Scope names them
# alike); a token's user's roles still decide on which objects.
CAIRN_API_SCOPES = {
    "read": "Read what the account may see",
    "grade": "Grade submissions",
    "issue": "Issue, revoke and suspend credentials",
    "admin": "Every other change the account's roles allow",
}
# The 1EdTech Open Badges 3.0 API's scopes, for the hosts (wallets, backpacks)
# that register themselves; a host is given only the ones it registered for
# (integrations/ob3/scopes.py), and other clients never these.
CAIRN_OB3_SCOPES = {
    "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.readonly": (
        "See the credentials you earned in Cairn and those apps stored for you"
    ),
    "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.upsert": (
        "Store credentials you earned elsewhere in your Cairn account"
    ),
    "https://purl.imsglobal.org/spec/ob/v3p0/scope/profile.readonly": (
        "See your name and e-mail address"
    ),
    "https://purl.imsglobal.org/spec/ob/v3p0/scope/profile.update": (
        "Change your name"
    ),
    "offline_access": "Stay connected when you are not signed in, until you "
    "disconnect it",
}
# What the Open Badges 3.0 API's discovery document names as the privacy policy
# and terms of service; by default the page saying what connected apps see.
CAIRN_OB3_PRIVACY_POLICY_URL = os.environ.get("CAIRN_OB3_PRIVACY_POLICY_URL", "")
CAIRN_OB3_TERMS_OF_SERVICE_URL = os.environ.get("CAIRN_OB3_TERMS_OF_SERVICE_URL", "")
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    "SCOPES": {**CAIRN_API_SCOPES, **CAIRN_OB3_SCOPES},
    "SCOPES_BACKEND_CLASS": "integrations.ob3.scopes.ScopesBackend",
    "DEFAULT_SCOPES": ["read"],
    "PKCE_REQUIRED": True,
    # Redirect URIs over https only, except in development (RFC 9700 §2.1).
    "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https"] if DEBUG else ["https"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
    "REFRESH_TOKEN_EXPIRE_SECONDS": 30 * 24 * 3600,
    "ROTATE_REFRESH_TOKEN": True,
    # A spent refresh token presented again revokes the whole family (RFC 9700 §4.14).
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    # RFC 9700 (OAuth 2.0 Security BCP), ahead of DOT 4.0's defaults: no implicit
    # or password grants, S256 only, tokens only in headers or bodies, the `iss`
    # of RFC 9207 on authorization responses, and only checksums of access and
    # refresh tokens stored, never the tokens themselves.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
}

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "integrations.tokens.authentication.TokenAuthentication",
        "integrations.oauth.authentication.OAuthAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Cairn API",
    "DESCRIPTION": "Design, assess, stack and issue verifiable micro-credentials.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the installed sidecar package: the docs work offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The Swagger page can authorize with a token or through OAuth (PKCE), and
    # keeps what was entered across reloads.
    "SWAGGER_UI_SETTINGS": {
        "persistAuthorization": True,
        "oauth2RedirectUrl": f"{SITE_URL}/api/docs/oauth2-redirect.html",
    },
    "SWAGGER_UI_OAUTH2_CONFIG": {"usePkceWithAuthorizationCodeGrant": True},
    "OAUTH2_FLOWS": ["authorizationCode", "clientCredentials"],
    "OAUTH2_AUTHORIZATION_URL": f"{SITE_URL}/oauth/authorize/",
    "OAUTH2_TOKEN_URL": f"{SITE_URL}/oauth/token/",
    "OAUTH2_REFRESH_URL": f"{SITE_URL}/oauth/token/",
    "OAUTH2_SCOPES": CAIRN_API_SCOPES,
    # Several models have a `status`: name each choice set after its model.
    "ENUM_NAME_OVERRIDES": {
        "VersionStatusEnum": "curriculum.models.VersionedContent.Status",
        "ReviewStatusEnum": "reviews.models.Review.Status",
        "MemberRoleEnum": "accounts.models.Membership.Role",
        "KindEnum": ["module", "pathway"],
        "WebhookStatusEnum": "integrations.models.WebhookSubscription.Status",
        "WebhookDeliveryStatusEnum": "integrations.models.WebhookDelivery.Status",
    },
}

# An HTTPS SITE_URL means the site is served only over HTTPS: cookies are
# secure, plain HTTP is redirected, and browsers are told to come back over
# HTTPS for a year (HSTS; CAIRN_HSTS_SECONDS=0 turns it off while trying out,
# CAIRN_HSTS_SUBDOMAINS=0 and CAIRN_HSTS_PRELOAD=0 narrow it).
# Behind a proxy that terminates TLS, CAIRN_TLS_PROXY=1 trusts its
# X-Forwarded-Proto header, so that the redirect does not loop.
SESSION_COOKIE_SECURE = SITE_URL.startswith("https://")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = SESSION_COOKIE_SECURE and not DEBUG
SECURE_HSTS_SECONDS = (
    int(os.environ.get("CAIRN_HSTS_SECONDS", 365 * 24 * 3600))
    if SESSION_COOKIE_SECURE
    else 0
)
# Subdomains of Cairn's own host only (cairn.college.edu's, not college.edu's).
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("CAIRN_HSTS_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = envbool("CAIRN_HSTS_PRELOAD", True)
if envbool("CAIRN_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy on every response (django-csp): scripts, styles and
# everything else only from this site, never inline, so that text someone
# manages to inject into a page cannot run. Pages keep their scripts in
# static/js and their styles in static/css; sizes computed on the server are
# data-* attributes that static/js/cairn.js applies. Images may also be data:
# URIs (the favicon, Swagger UI's icons).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],  # as X-Frame-Options: DENY
    }
}

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint narrates each rendering step at INFO; fontTools each subset.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # In-process tasks would log every run into the web server's output.
        "celery.app.trace": {
            "level": "WARNING" if CELERY_TASK_ALWAYS_EAGER else "INFO"
        },
    },
}

# Issuer DIDs: did:web of SITE_URL when the site has a public address, did:key on
# the embedded default (a did:web on 127.0.0.1 could not be resolved by anyone).
CAIRN_DID_METHOD = os.environ.get(
    "CAIRN_DID_METHOD", "web" if os.environ.get("SITE_URL") else "key"
)

# How long a "send to my wallet" link (deep link and QR code) can be answered.
CAIRN_WALLET_REQUEST_MINUTES = int(os.environ.get("CAIRN_WALLET_REQUEST_MINUTES", 15))
# How long an "Add to a wallet app" offer (OpenID4VCI, integrations/oid4vci) can
# be redeemed by a wallet.
CAIRN_OID4VCI_OFFER_MINUTES = int(os.environ.get("CAIRN_OID4VCI_OFFER_MINUTES", 10))

# Recognition checks an outside credential's proof offline. An issuer whose key is
# neither a did:key nor this site's is trusted only through its controller or DID
# document, saved by an administrator: comma-separated JSON files or folders.
CAIRN_ISSUER_DOCUMENTS = [
    part.strip()
    for part in os.environ.get("CAIRN_ISSUER_DOCUMENTS", "").split(",")
    if part.strip()
]

# Seals the organizations' signing keys at rest (credentials/keystore.py). Any
# high-entropy string; several comma-separated while re-wrapping (the first
# seals, all open). Required without DEBUG; the embedded demo derives one.
CAIRN_KEY_ENCRYPTION_KEY = envsecret("CAIRN_KEY_ENCRYPTION_KEY")
if not CAIRN_KEY_ENCRYPTION_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "CAIRN_KEY_ENCRYPTION_KEY must be set when DEBUG is off."
        )
    CAIRN_KEY_ENCRYPTION_KEY = f"embedded-demo:{SECRET_KEY}"

# Webhooks (integrations/webhooks, docs/decisions/0016-webhooks.md). Deliveries go
# only to public addresses over https; loopback (http or https) is allowed with
# DEBUG or CAIRN_WEBHOOKS_ALLOW_LOOPBACK, for local receivers and the tests.
CAIRN_WEBHOOKS_ALLOW_LOOPBACK = envbool("CAIRN_WEBHOOKS_ALLOW_LOOPBACK", DEBUG)
CAIRN_WEBHOOKS_TIMEOUT = float(os.environ.get("CAIRN_WEBHOOKS_TIMEOUT", "10"))
# Failed attempts back off exponentially from this many seconds, up to 12 hours.
CAIRN_WEBHOOKS_RETRY_BASE_SECONDS = int(
    os.environ.get("CAIRN_WEBHOOKS_RETRY_BASE_SECONDS", "60")
)
CAIRN_WEBHOOKS_MAX_ATTEMPTS = int(os.environ.get("CAIRN_WEBHOOKS_MAX_ATTEMPTS", "12"))
# A subscription whose every attempt failed for this many days is paused.
CAIRN_WEBHOOKS_PAUSE_AFTER_DAYS = int(
    os.environ.get("CAIRN_WEBHOOKS_PAUSE_AFTER_DAYS", "3")
)
