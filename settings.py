"""confops settings, read from CONFOPS_* environment variables.

Every setting has a documented default so that `make run` works on a fresh clone. The
defaults that only make sense on a developer's machine (a generated secret key, the file
mailer, an http base URL) are refused when CONFOPS_ENV=production, so a production
deployment cannot start by accident on development settings.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def home() -> Path:
    """Where relative paths (the var folder, a relative SQLite file) start: the checkout when
    running from one, else the working directory (an installed package lives in
    site-packages, which is no place for data)."""
    return ROOT if (ROOT / "pyproject.toml").is_file() else Path.cwd()


class SettingsError(RuntimeError):
    """The environment does not describe a usable configuration."""


@dataclass(frozen=True)
class SettingSpec:
    name: str
    default: str
    doc: str


SPECS: tuple[SettingSpec, ...] = (
    SettingSpec("CONFOPS_ENV", "development", "`development`, `test` or `production`. Production refuses development defaults."),
    SettingSpec("CONFOPS_DATABASE_URL", "sqlite:///<CONFOPS_VAR_DIR>/confops.db", "`sqlite:///relative/or/absolute.db` or `postgresql://user@host:5432/db`; with PostgreSQL on the same host, its Unix socket (`postgresql://user@/db?host=/var/run/postgresql`) costs less CPU a query than TCP. Relative SQLite paths are under the home folder (the checkout, or the working directory of an installed package)."),
    SettingSpec("CONFOPS_SECRET_KEY", "(generated into `var/secret_key`)", "Signs sessions, links and tokens. At least 32 characters; required in production."),
    SettingSpec("CONFOPS_BASE_URL", "http://127.0.0.1:8000", "Public URL used in e-mails, QR codes and links. Must be https in production."),
    SettingSpec("CONFOPS_VAR_DIR", "var", "Where the SQLite file, dev mail, uploads and generated files live (relative: under the checkout, or the working directory of an installed package)."),
    SettingSpec("CONFOPS_SMTP_URL", "(empty: mail is written as .eml files under var/mail/)", "`smtp://user:pass@host:port` or `smtps://…`; `?starttls=1` to upgrade. Required in production."),
    SettingSpec("CONFOPS_MAIL_FROM", "ABS Events <events@example.org>", "Sender of every e-mail."),
    SettingSpec("CONFOPS_STRIPE_SECRET_KEY", "(empty: Stripe off, manual payments only)", "Stripe secret API key."),
    SettingSpec("CONFOPS_STRIPE_PUBLISHABLE_KEY", "(empty)", "Stripe publishable key for the Payment Element."),
    SettingSpec("CONFOPS_STRIPE_WEBHOOK_SECRET", "(empty)", "Signing secret of the Stripe webhook endpoint."),
    SettingSpec("CONFOPS_STRIPE_API_BASE", "(empty: api.stripe.com)", "Another Stripe API address, e.g. a local emulator in tests."),
    SettingSpec("CONFOPS_REDIS_URL", "(empty: in-process channels)", "`redis://127.0.0.1:6379/0` to share live counts between workers."),
    SettingSpec("CONFOPS_ORDER_HOLD_MINUTES", "30", "How long an unpaid order holds its places."),
    SettingSpec("CONFOPS_DB_POOL_SIZE", "20", "PostgreSQL connections per server worker (keep workers × size below the server's max_connections)."),
    SettingSpec("CONFOPS_WAITLIST_OFFER_HOURS", "48", "How long a waitlist offer stays valid."),
    SettingSpec("CONFOPS_LOGIN_LINK_MINUTES", "30", "How long an e-mailed sign-in link works (once)."),
    SettingSpec("CONFOPS_IN_APP_WORKER", "1", "Run the background worker inside the web process (`0` when `confops worker` runs apart)."),
    SettingSpec("CONFOPS_DEFAULT_ORGANIZER", "abs", "Slug of the organizer shown on the home page."),
    SettingSpec("CONFOPS_INSTANCES", "1", "How many hosts (or separate `confops serve` instances) serve this site. In production, more than one needs PostgreSQL, Redis and S3 storage."),
    SettingSpec("CONFOPS_STORAGE_URL", "(empty: the folder `<CONFOPS_VAR_DIR>/uploads`)", "Where uploaded and stored files live: `file:///absolute/folder` or `s3://bucket[/prefix]` (any S3-compatible service, see the `CONFOPS_S3_*` settings)."),
    SettingSpec("CONFOPS_S3_ENDPOINT", "(empty: AWS)", "The S3-compatible service's URL, e.g. `https://s3.eu-central-1.wasabisys.com` or a MinIO/Garage server."),
    SettingSpec("CONFOPS_S3_REGION", "us-east-1", "The bucket's region."),
    SettingSpec("CONFOPS_S3_ACCESS_KEY_ID", "(empty: the host's AWS credentials)", "Access key of the bucket's user."),
    SettingSpec("CONFOPS_S3_SECRET_ACCESS_KEY", "(empty)", "Secret key of the bucket's user."),
    SettingSpec("CONFOPS_OLD_SECRET_KEYS", "(empty)", "Previous secret keys, comma-separated, still accepted while `confops rotate-secret` re-seals what they sealed."),
    SettingSpec("CONFOPS_LOG_FORMAT", "json", "`json` (one JSON object a line, for log collectors) or `text` (for reading in a terminal)."),
    SettingSpec("CONFOPS_LOG_LEVEL", "INFO", "`DEBUG`, `INFO`, `WARNING` or `ERROR`."),
    SettingSpec("CONFOPS_METRICS_TOKEN", "(empty: /metrics open)", "When set, `/metrics` answers only requests with `Authorization: Bearer <token>`."),
    SettingSpec("CONFOPS_SESSION_HOURS", "12", "How long a signed-in session lasts without being used (it ends at sign-out, on a password change, or when ended from the sessions page)."),
    SettingSpec("CONFOPS_STAFF_SECOND_FACTOR", "0", "`1`: every staff role signs in with a second factor (TOTP), not only admins, who always do."),
    SettingSpec("CONFOPS_TRUSTED_PROXIES", "(empty: none)", "Comma-separated addresses or networks of your reverse proxies (`10.0.0.0/8,127.0.0.1`); only their `X-Forwarded-For` is believed for the visitor's address (sign-in throttling, session lists)."),
    SettingSpec("CONFOPS_PURGE_AFTER_DAYS", "730", "Days after an event ends before its attendees' personal data is purged (CME participation records are kept 6 years)."),
)

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    database_url: str = "sqlite:///var/confops.db"
    secret_key: str = ""
    base_url: str = "http://127.0.0.1:8000"
    var_dir: Path = field(default_factory=lambda: home() / "var")
    smtp_url: str = ""
    mail_from: str = "ABS Events <events@example.org>"
    stripe_secret_key: str = ""
    stripe_publishable_key: str = ""
    stripe_webhook_secret: str = ""
    stripe_api_base: str = ""
    redis_url: str = ""
    order_hold_minutes: int = 30
    db_pool_size: int = 20
    waitlist_offer_hours: int = 48
    login_link_minutes: int = 30
    in_app_worker: bool = True
    default_organizer: str = "abs"
    purge_after_days: int = 730
    instances: int = 1
    storage_url: str = ""  # empty: the folder var/uploads
    s3_endpoint: str = ""
    s3_region: str = "us-east-1"
    s3_access_key_id: str = ""
    s3_secret_access_key: str = ""
    old_secret_keys: tuple[str, ...] = ()
    log_format: str = "json"
    log_level: str = "INFO"
    metrics_token: str = ""
    session_hours: int = 12
    staff_second_factor: bool = False
    trusted_proxies: str = ""

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def stripe_enabled(self) -> bool:
        return bool(self.stripe_secret_key)

    @property
    def mail_dir(self) -> Path:
        return self.var_dir / "mail"

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")


def _int(env: Mapping[str, str], name: str, default: int, problems: list[str]) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        problems.append(f"{name} must be a whole number, got {raw!r}")
        return default
    if value <= 0:
        problems.append(f"{name} must be positive, got {value}")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool, problems: list[str]) -> bool:
    raw = env.get(name)
    if raw is None:
        return default
    lowered = raw.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    problems.append(f"{name} must be 1/0, true/false, yes/no or on/off, got {raw!r}")
    return default


def _proxies(raw: str, problems: list[str]) -> str:
    import ipaddress

    parts = [p.strip() for p in raw.split(",") if p.strip()]
    for part in parts:
        try:
            ipaddress.ip_network(part, strict=False)
        except ValueError:
            problems.append(f"CONFOPS_TRUSTED_PROXIES: {part!r} is not an address or network")
    return ",".join(parts)


def resolve_sqlite_url(url: str) -> str:
    """Make a relative SQLite path relative to the home folder (see home())."""
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        return url
    path = Path(url[len(prefix):])
    if not path.is_absolute():
        path = home() / path
    return prefix + str(path)


def _dev_secret(var_dir: Path) -> str:
    """Generate a secret once per checkout, so sessions survive restarts during development."""
    key_file = var_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    # Written whole under a private name, then linked into place: processes starting together
    # (test workers, server workers on a fresh checkout) all end up with the one key that won,
    # and none can read a half-written file.
    draft = var_dir / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_urlsafe(48))
    try:
        os.link(draft, key_file)
    except FileExistsError:
        pass  # another process got there first: use its key
    finally:
        draft.unlink()
    return key_file.read_text().strip()


def _operations(env: Mapping[str, str], problems: list[str]) -> dict:
    """The settings of running confops on one host or many: storage, logs, rotation."""
    storage_url = env.get("CONFOPS_STORAGE_URL", "").strip()
    if storage_url and not storage_url.startswith(("file:///", "s3://")):
        problems.append("CONFOPS_STORAGE_URL must start with file:/// (an absolute folder) or s3://")
    if storage_url.startswith("s3://") and not storage_url[len("s3://"):].strip("/"):
        problems.append("CONFOPS_STORAGE_URL needs a bucket name: s3://bucket[/prefix]")
    log_format = env.get("CONFOPS_LOG_FORMAT", "").strip().lower() or "json"
    if log_format not in {"json", "text"}:
        problems.append(f"CONFOPS_LOG_FORMAT must be json or text, got {log_format!r}")
    log_level = env.get("CONFOPS_LOG_LEVEL", "").strip().upper() or "INFO"
    if log_level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        problems.append(f"CONFOPS_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {log_level!r}")
    old_keys = tuple(k.strip() for k in env.get("CONFOPS_OLD_SECRET_KEYS", "").split(",") if k.strip())
    return {
        "instances": _int(env, "CONFOPS_INSTANCES", 1, problems),
        "storage_url": storage_url,
        "s3_endpoint": env.get("CONFOPS_S3_ENDPOINT", "").strip(),
        "s3_region": env.get("CONFOPS_S3_REGION", "").strip() or "us-east-1",
        "s3_access_key_id": env.get("CONFOPS_S3_ACCESS_KEY_ID", "").strip(),
        "s3_secret_access_key": env.get("CONFOPS_S3_SECRET_ACCESS_KEY", "").strip(),
        "old_secret_keys": old_keys,
        "log_format": log_format,
        "log_level": log_level,
        "metrics_token": env.get("CONFOPS_METRICS_TOKEN", "").strip(),
    }


EXAMPLE_DOMAINS = ("example.org", "example.com", "example.net")


def production_problems(settings: Settings, workers: int = 1) -> list[str]:
    """What works on a laptop but silently misbehaves in production. `workers` is the number
    of server processes this host runs (`confops serve --workers`)."""
    problems = []
    shared = settings.instances > 1 or workers > 1
    if shared and not settings.redis_url:
        problems.append("several server processes need CONFOPS_REDIS_URL: without it each keeps its own "
                        "live counts and rate limits")
    if shared and not settings.database_url.startswith(("postgresql://", "postgres://")):
        problems.append("several server processes need PostgreSQL in CONFOPS_DATABASE_URL (SQLite is one writer on one disk)")
    if settings.instances > 1 and not settings.storage_url.startswith("s3://"):
        problems.append("CONFOPS_INSTANCES > 1 needs CONFOPS_STORAGE_URL=s3://…: files on one host's disk are missing on the others")
    domain = settings.mail_from.rsplit("@", 1)[-1].strip(" >").lower()
    if domain in EXAMPLE_DOMAINS:
        problems.append(f"CONFOPS_MAIL_FROM is the example sender ({settings.mail_from}); set the society's own address")
    if any(len(k) < 32 for k in settings.old_secret_keys):
        problems.append("every key in CONFOPS_OLD_SECRET_KEYS must be at least 32 characters")
    return problems


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read settings from the environment; raise SettingsError naming every problem at once."""
    env = os.environ if env is None else env
    problems: list[str] = []
    mode = env.get("CONFOPS_ENV", "development").strip() or "development"
    if mode not in {"development", "test", "production"}:
        problems.append(f"CONFOPS_ENV must be development, test or production, got {mode!r}")
    production = mode == "production"

    var_raw = env.get("CONFOPS_VAR_DIR", "").strip()
    var_dir = Path(var_raw) if var_raw else Path("var")
    if not var_dir.is_absolute():
        var_dir = home() / var_dir

    database_url = env.get("CONFOPS_DATABASE_URL", "").strip() or f"sqlite:///{var_dir / 'confops.db'}"
    if not database_url.startswith(("sqlite:///", "postgresql://", "postgres://")):
        problems.append("CONFOPS_DATABASE_URL must start with sqlite:///, postgresql:// or postgres://")
    database_url = resolve_sqlite_url(database_url)

    secret_key = env.get("CONFOPS_SECRET_KEY", "").strip()
    if production:
        if not secret_key:
            problems.append("CONFOPS_SECRET_KEY is required in production")
        elif len(secret_key) < 32:
            problems.append("CONFOPS_SECRET_KEY must be at least 32 characters")
    elif not secret_key:
        secret_key = _dev_secret(var_dir)

    base_url = (env.get("CONFOPS_BASE_URL", "").strip() or "http://127.0.0.1:8000").rstrip("/")
    if not base_url.startswith(("http://", "https://")):
        problems.append("CONFOPS_BASE_URL must start with http:// or https://")
    elif production and not base_url.startswith("https://"):
        problems.append("CONFOPS_BASE_URL must be https in production")

    smtp_url = env.get("CONFOPS_SMTP_URL", "").strip()
    if smtp_url and not smtp_url.startswith(("smtp://", "smtps://")):
        problems.append("CONFOPS_SMTP_URL must start with smtp:// or smtps://")
    if production and not smtp_url:
        problems.append("CONFOPS_SMTP_URL is required in production (the file mailer is for development)")

    stripe_secret = env.get("CONFOPS_STRIPE_SECRET_KEY", "").strip()
    stripe_webhook = env.get("CONFOPS_STRIPE_WEBHOOK_SECRET", "").strip()
    if stripe_secret and not stripe_webhook:
        problems.append("CONFOPS_STRIPE_WEBHOOK_SECRET is required when CONFOPS_STRIPE_SECRET_KEY is set")
    if production and env.get("CONFOPS_STRIPE_API_BASE", "").strip():
        problems.append("CONFOPS_STRIPE_API_BASE is for tests and is refused in production")

    settings = Settings(
        env=mode,
        database_url=database_url,
        secret_key=secret_key,
        base_url=base_url,
        var_dir=var_dir,
        smtp_url=smtp_url,
        mail_from=env.get("CONFOPS_MAIL_FROM", "").strip() or Settings.mail_from,
        stripe_secret_key=stripe_secret,
        stripe_publishable_key=env.get("CONFOPS_STRIPE_PUBLISHABLE_KEY", "").strip(),
        stripe_webhook_secret=stripe_webhook,
        stripe_api_base=env.get("CONFOPS_STRIPE_API_BASE", "").strip(),
        redis_url=env.get("CONFOPS_REDIS_URL", "").strip(),
        order_hold_minutes=_int(env, "CONFOPS_ORDER_HOLD_MINUTES", 30, problems),
        db_pool_size=_int(env, "CONFOPS_DB_POOL_SIZE", 20, problems),
        waitlist_offer_hours=_int(env, "CONFOPS_WAITLIST_OFFER_HOURS", 48, problems),
        login_link_minutes=_int(env, "CONFOPS_LOGIN_LINK_MINUTES", 30, problems),
        in_app_worker=_bool(env, "CONFOPS_IN_APP_WORKER", True, problems),
        default_organizer=env.get("CONFOPS_DEFAULT_ORGANIZER", "").strip() or "abs",
        purge_after_days=_int(env, "CONFOPS_PURGE_AFTER_DAYS", 730, problems),
        **_operations(env, problems),
        session_hours=_int(env, "CONFOPS_SESSION_HOURS", 12, problems),
        staff_second_factor=_bool(env, "CONFOPS_STAFF_SECOND_FACTOR", False, problems),
        trusted_proxies=_proxies(env.get("CONFOPS_TRUSTED_PROXIES", ""), problems),
    )
    if production:
        problems.extend(production_problems(settings))
    if problems:
        raise SettingsError("Invalid configuration:\n  - " + "\n  - ".join(problems))
    return settings
