"""Every setting casemgr reads, with its type, default and environment variable.

Settings come from defaults, then the environment, then a test dict passed to
create_app(). A bad value stops start-up with a message that names the variable.
"""

import os
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ROOT = Path(__file__).resolve().parent
INSTANCE = ROOT / "instance"


class ConfigError(Exception):
    """A setting that casemgr cannot start with."""


@dataclass(frozen=True)
class CityProfile:
    """What differs from one city to the next."""

    key: str
    name: str
    timezone: str
    holiday_country: str
    map_center: tuple
    map_zoom: int
    reference_prefix: str = "CM"
    #: The language of messages to people who chose none (emails to residents).
    default_locale: str = "en"


PROFILES = {
    "jakarta": CityProfile(
        "jakarta", "DKI Jakarta", "Asia/Jakarta", "ID", (-6.1754, 106.8272), 12,
        default_locale="id",
    ),
    "boston": CityProfile("boston", "Boston", "America/New_York", "US", (42.3301, -71.0740), 12),
}

#: name -> (environment variable, type, default)
SETTINGS = {
    "CASEMGR_ENV": ("CASEMGR_ENV", str, "development"),
    "SECRET_KEY": ("SECRET_KEY", str, "dev-only-not-secret"),
    "DATABASE_URL": ("DATABASE_URL", str, f"sqlite:///{INSTANCE / 'casemgr.db'}"),
    "REDIS_URL": ("REDIS_URL", str, ""),
    #: RQ queue name; separate deployments (or test runs) on one Redis use their own.
    "QUEUE_NAME": ("CASEMGR_QUEUE", str, "casemgr"),
    "CASEMGR_PROFILE": ("CASEMGR_PROFILE", str, "jakarta"),
    "CASEMGR_TIMEZONE": ("CASEMGR_TIMEZONE", str, ""),
    #: id or en; empty means the city profile's language.
    "CASEMGR_DEFAULT_LOCALE": ("CASEMGR_DEFAULT_LOCALE", str, ""),
    "UPLOAD_DIR": ("CASEMGR_UPLOAD_DIR", str, str(INSTANCE / "uploads")),
    "MAX_PHOTO_BYTES": ("CASEMGR_MAX_PHOTO_BYTES", int, 16 * 1024 * 1024),
    #: Largest GeoJSON overlay an admin may upload to the dashboard map.
    "MAX_LAYER_BYTES": ("CASEMGR_MAX_LAYER_BYTES", int, 5 * 1024 * 1024),
    "MAX_CONTENT_LENGTH": ("CASEMGR_MAX_REQUEST_BYTES", int, 40 * 1024 * 1024),
    #: werkzeug hash method; tests use a cheap one, production keeps scrypt.
    "PASSWORD_HASH": ("CASEMGR_PASSWORD_HASH", str, "scrypt"),
    "TOKEN_HOURS": ("CASEMGR_TOKEN_HOURS", int, 12),
    "PAGE_SIZE": ("CASEMGR_PAGE_SIZE", int, 50),
    "WORKFLOW_DIR": ("CASEMGR_WORKFLOW_DIR", str, str(ROOT / "workflows")),
    "DATA_DIR": ("CASEMGR_DATA_DIR", str, str(ROOT / "data")),
    #: Map tile URL template for Leaflet; an empty value draws the district polygons only.
    "CASEMGR_TILE_URL": (
        "CASEMGR_TILE_URL",
        str,
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
    ),
    #: Where citizens reach the app; links in messages start with it.
    "PUBLIC_URL": ("CASEMGR_PUBLIC_URL", str, "http://127.0.0.1:5000"),
    #: console (log the message), smtp, or memory (tests).
    "MAIL_BACKEND": ("CASEMGR_MAIL_BACKEND", str, "console"),
    "MAIL_FROM": ("CASEMGR_MAIL_FROM", str, "casemgr@localhost"),
    "SMTP_HOST": ("CASEMGR_SMTP_HOST", str, "localhost"),
    "SMTP_PORT": ("CASEMGR_SMTP_PORT", int, 25),
    "SMTP_USERNAME": ("CASEMGR_SMTP_USERNAME", str, ""),
    "SMTP_PASSWORD": ("CASEMGR_SMTP_PASSWORD", str, ""),
    "SMTP_TLS": ("CASEMGR_SMTP_TLS", "flag", False),
    #: json or text; empty: json when CASEMGR_ENV=production, text otherwise.
    "LOG_FORMAT": ("CASEMGR_LOG_FORMAT", str, ""),
    #: Production mode (make prod): gunicorn's address, processes and threads, RQ workers.
    "WEB_BIND": ("CASEMGR_BIND", str, "127.0.0.1:8000"),
    "WEB_WORKERS": ("CASEMGR_WEB_WORKERS", int, 2),
    "WEB_THREADS": ("CASEMGR_WEB_THREADS", int, 4),
    "RQ_WORKERS": ("CASEMGR_RQ_WORKERS", int, 2),
    "SWEEP_INTERVAL": ("CASEMGR_SWEEP_INTERVAL", int, 10),
    #: Which Procfile processes this host runs: web hosts, worker hosts, one scheduler.
    "PROCESSES": ("CASEMGR_PROCESSES", str, "web,worker,scheduler"),
    #: Login attempts (pages and /api/v1/auth/token) one address may make.
    "LOGIN_RATE_LIMIT": ("CASEMGR_LOGIN_RATE_LIMIT", str, "30 per minute; 300 per hour"),
    #: Wrong passwords in a row that lock an account, and for how many minutes.
    "LOGIN_MAX_FAILURES": ("CASEMGR_LOGIN_MAX_FAILURES", int, 5),
    "LOGIN_LOCKOUT_MINUTES": ("CASEMGR_LOGIN_LOCKOUT_MINUTES", int, 15),
    #: Requests one Open311 client (API key, or address without one) may make.
    "OPEN311_RATE_LIMIT": ("CASEMGR_OPEN311_RATE_LIMIT", str, "120 per minute; 5000 per day"),
    #: Queue Open311 requests for a job to file, answering a token (asynchronous intake).
    "OPEN311_ASYNC": ("CASEMGR_OPEN311_ASYNC", "flag", False),
    #: The jurisdiction_id this server answers to; empty accepts any.
    "OPEN311_JURISDICTION": ("CASEMGR_OPEN311_JURISDICTION", str, ""),
    #: The category suggested from a report's text is offered only at least this sure (0-1).
    "CATEGORY_CONFIDENCE": ("CASEMGR_CATEGORY_CONFIDENCE", float, 0.5),
    #: Where `casemgr train-classifier` stores the category model.
    "CLASSIFIER_PATH": (
        "CASEMGR_CLASSIFIER_PATH", str, str(INSTANCE / "category-classifier.joblib")
    ),
    #: Share (0 to 1) of closures drawn at random for validation outside the unit.
    "VALIDATION_SAMPLE_SHARE": ("CASEMGR_VALIDATION_SAMPLE_SHARE", float, 0.0),
    #: A resolution photo taken farther than this from the case point is flagged.
    "RESOLUTION_MAX_DISTANCE_M": ("CASEMGR_RESOLUTION_MAX_DISTANCE_M", float, 100.0),
    #: Reports are refused outside the city's service area: the box around its districts,
    #: widened by this many metres. A city without districts takes every point.
    "SERVICE_AREA_MARGIN_M": ("CASEMGR_SERVICE_AREA_MARGIN_M", float, 2000.0),
    #: Off, reports are taken anywhere, as for a city without districts.
    "CHECK_SERVICE_AREA": ("CASEMGR_CHECK_SERVICE_AREA", "flag", True),
    #: A queued or running migration run whose job showed no progress for this many
    #: minutes has lost its worker: it is shown as failed ("worker stopped").
    "MIGRATION_STALE_MINUTES": ("CASEMGR_MIGRATION_STALE_MINUTES", int, 15),
    #: Days the reporter has to verify a fix before the case closes without an answer;
    #: a category's own verify_days wins.
    "VERIFY_DAYS": ("CASEMGR_VERIFY_DAYS", int, 14),
    #: Hours the link that confirms a "me too" given with an email address stays valid.
    "ME_TOO_CONFIRM_HOURS": ("CASEMGR_ME_TOO_CONFIRM_HOURS", int, 72),
    "ME_TOO_EMAIL_LIMIT": ("CASEMGR_ME_TOO_EMAIL_LIMIT", str, "10 per hour; 30 per day"),
}

#: Settings where an empty environment value means "off" rather than "use the default".
BLANK_MEANS_OFF = {"CASEMGR_TILE_URL"}


FLAG_WORDS = {"1": True, "true": True, "yes": True, "on": True,
              "0": False, "false": False, "no": False, "off": False}


def parse_flag(raw):
    """True or False for a flag word (true/false, yes/no, on/off, 1/0); None otherwise."""
    return FLAG_WORDS.get(str(raw).strip().lower())


def _convert(name, kind, raw):
    if kind == "flag":
        if parse_flag(raw) is None:
            raise ConfigError(f"{name}={raw!r} is not a valid flag: use true or false")
        return parse_flag(raw)
    try:
        return kind(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a valid {kind.__name__}") from None


def load(overrides=None):
    """Return the settings as a dict, checked; raise ConfigError on a bad one."""
    settings = {}
    for name, (env_var, kind, default) in SETTINGS.items():
        raw = os.environ.get(env_var)
        if raw == "" and name in BLANK_MEANS_OFF:
            settings[name] = ""
        else:
            settings[name] = default if raw in (None, "") else _convert(env_var, kind, raw)
    settings.update(overrides or {})

    _check(settings)
    return settings


def _check(settings):
    env = settings["CASEMGR_ENV"]
    if env not in ("development", "test", "production"):
        raise ConfigError(f"CASEMGR_ENV={env!r}: use development, test or production")
    if env == "production" and not settings["PASSWORD_HASH"].startswith("scrypt"):
        raise ConfigError("CASEMGR_PASSWORD_HASH must stay scrypt in production")
    if env == "production" and settings["SECRET_KEY"] in ("", SETTINGS["SECRET_KEY"][2]):
        raise ConfigError("SECRET_KEY must be set to a real secret in production")

    if settings["MAIL_BACKEND"] not in ("console", "smtp", "memory"):
        raise ConfigError(
            f"CASEMGR_MAIL_BACKEND={settings['MAIL_BACKEND']!r}: use console, smtp or memory"
        )

    if settings["LOG_FORMAT"] not in ("", "json", "text"):
        raise ConfigError(f"CASEMGR_LOG_FORMAT={settings['LOG_FORMAT']!r}: use json or text")
    settings["LOG_FORMAT"] = settings["LOG_FORMAT"] or ("json" if env == "production" else "text")
    if not 0 <= settings["CATEGORY_CONFIDENCE"] <= 1:
        raise ConfigError(
            f"CASEMGR_CATEGORY_CONFIDENCE={settings['CATEGORY_CONFIDENCE']!r}: use 0 to 1"
        )
    _check_validation(settings)
    if not settings["SERVICE_AREA_MARGIN_M"] >= 0:
        raise ConfigError("CASEMGR_SERVICE_AREA_MARGIN_M must be 0 or more metres")
    if settings["MIGRATION_STALE_MINUTES"] < 1:
        raise ConfigError("CASEMGR_MIGRATION_STALE_MINUTES must be at least 1")

    profile_key = settings["CASEMGR_PROFILE"]
    if profile_key not in PROFILES:
        raise ConfigError(
            f"CASEMGR_PROFILE={profile_key!r}: choose one of {', '.join(sorted(PROFILES))}"
        )
    profile = PROFILES[profile_key]
    zone = settings["CASEMGR_TIMEZONE"] or profile.timezone
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"CASEMGR_TIMEZONE={zone!r} is not a known time zone") from None

    tiles = settings["CASEMGR_TILE_URL"]
    if tiles and not tiles.startswith(("https://", "http://", "/")):
        raise ConfigError(f"CASEMGR_TILE_URL={tiles!r}: give an http(s) URL or leave it empty")

    settings["CITY"] = profile
    settings["CASEMGR_TIMEZONE"] = zone
    settings["CASEMGR_DEFAULT_LOCALE"] = _default_locale(settings, profile)
    settings["TESTING"] = settings.get("TESTING", env == "test")


def _default_locale(settings, profile):
    locale = settings["CASEMGR_DEFAULT_LOCALE"] or profile.default_locale
    if locale not in ("id", "en"):
        raise ConfigError(f"CASEMGR_DEFAULT_LOCALE={locale!r}: choose id or en")
    return locale


def _check_validation(settings):
    share = settings["VALIDATION_SAMPLE_SHARE"]
    if not 0 <= share <= 1:
        raise ConfigError(f"CASEMGR_VALIDATION_SAMPLE_SHARE={share!r}: give a share from 0 to 1")
    if not settings["RESOLUTION_MAX_DISTANCE_M"] > 0:
        raise ConfigError("CASEMGR_RESOLUTION_MAX_DISTANCE_M must be a positive number of metres")
    if settings["VERIFY_DAYS"] < 1:
        raise ConfigError("CASEMGR_VERIFY_DAYS must be at least 1")
    if settings["ME_TOO_CONFIRM_HOURS"] < 1:
        raise ConfigError("CASEMGR_ME_TOO_CONFIRM_HOURS must be at least 1")
