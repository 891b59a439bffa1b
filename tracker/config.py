"""One settings object, read from the environment.

Everything that differs between a laptop demo and a production deployment is an environment
variable, so the same code runs under ``python app.py``, gunicorn and Celery workers.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from platformdirs import user_data_dir

if TYPE_CHECKING:
    from tracker.measures.disclosure import DisclosurePolicy

APP_NAME = "placement-pipeline-tracker"


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    """Runtime configuration; build it with :func:`load_settings`, never by hand in app code."""

    database_url: str
    data_dir: Path
    secret_key: str
    redis_url: str | None
    demo_mode: bool
    secure_cookies: bool
    #: Sign-in throttling per (username, client address): failures before waits start, and
    #: the longest wait in seconds (see ``tracker.services.sign_in_throttle``).
    signin_free_attempts: int = 3
    signin_max_wait_seconds: int = 900
    #: How many reverse proxies in front of the app set X-Forwarded-For (0: none, trust the
    #: socket address). Throttling needs the real client address.
    trusted_proxies: int = 0
    #: Share computed dashboard reports between workers (see ``tracker.cache``).
    report_cache: bool = True
    #: Disclosure convention for figures seen outside the owning HEI: a preset name
    #: (hesa, nhs, ofqual) and optional threshold overrides (see docs/measures.md).
    disclosure: str = "hesa"
    disclosure_rounding: int | None = None
    disclosure_small_max: int | None = None
    disclosure_min_rate_denominator: int | None = None
    #: Largest file one import may upload, in MB; the request limit is derived from it.
    max_upload_mb: int = 20
    #: Most data rows one import may hold; a file with more is refused while it is read.
    max_import_rows: int = 200_000
    #: Months between educational audits: an audit entered without an expiry date expires
    #: this long after it was carried out (regional cycles of 18 to 24 months are common).
    audit_interval_months: int = 24
    #: Fewest responses (learners) a setting's evaluation scores are shown for, and a
    #: setting's term needs before its comments are shown: a learner must not be recognised.
    quality_min_responses: int = 5
    #: Single sign-on with an OpenID Connect provider (Microsoft Entra ID or any standard
    #: one): on when an issuer is set; the discovery document is the issuer's unless given.
    oidc_issuer: str | None = None
    oidc_discovery_url: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    oidc_scopes: str = "openid profile email"
    #: The callback URL registered with the provider; derived from the request when unset.
    oidc_redirect_uri: str | None = None
    #: Claims mapping as JSON: a list of rules granting a role and HEI to a provider group or
    #: e-mail domain at first sign-in (see ``tracker.services.sso_rules``).
    oidc_claim_rules: str = ""
    #: Seconds of clock difference with the provider tolerated on an ID token's times.
    oidc_leeway_seconds: int = 60
    #: Local usernames and passwords; switch off where everyone signs in with the provider.
    local_passwords: bool = True
    #: E-mail notifications through SMTP: off (messages wait in the outbox) until a host is
    #: set. ``smtp_tls`` is starttls (port 587, Office 365), ssl (port 465) or none.
    smtp_host: str | None = None
    smtp_port: int | None = None
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "placements@localhost"
    smtp_tls: str = "starttls"
    #: Attempts before a message is failed, the first wait between them (then doubling), and
    #: how long a message may stay "sending" before its sender is presumed dead.
    smtp_max_attempts: int = 8
    smtp_retry_seconds: int = 60
    smtp_stale_seconds: int = 600

    @property
    def uses_default_database(self) -> bool:
        return self.database_url == default_database_url(self.data_dir)

    @property
    def sso_enabled(self) -> bool:
        return bool(self.oidc_issuer)


def _optional_int(name: str) -> int | None:
    value = os.environ.get(name, "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {value!r}.") from None


def _positive_int(name: str, default: int) -> int:
    value = _optional_int(name)
    if value is None:
        return default
    if value < 1:
        raise ValueError(f"{name} must be 1 or more, not {value}.")
    return value


def default_data_dir() -> Path:
    return Path(os.environ.get("TRACKER_DATA_DIR") or user_data_dir(APP_NAME, appauthor=False))


def default_database_url(data_dir: Path) -> str:
    return f"sqlite:///{(data_dir / 'tracker.db').as_posix()}"


def _secret_key(data_dir: Path) -> str:
    """Use TRACKER_SECRET_KEY, else one key generated once and kept beside the database.

    Keeping it in the data folder means sessions survive restarts and every worker of one
    deployment agrees on it, without anyone having to invent a secret for a laptop demo.
    """
    configured = os.environ.get("TRACKER_SECRET_KEY")
    if configured:
        return configured
    data_dir.mkdir(parents=True, exist_ok=True)
    key_file = data_dir / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def load_settings() -> Settings:
    data_dir = default_data_dir()
    data_dir.mkdir(parents=True, exist_ok=True)
    database_url = os.environ.get("TRACKER_DATABASE_URL") or default_database_url(data_dir)
    uses_default = database_url == default_database_url(data_dir)
    return Settings(
        database_url=database_url,
        data_dir=data_dir,
        secret_key=_secret_key(data_dir),
        redis_url=os.environ.get("TRACKER_REDIS_URL") or None,
        # Demo accounts with published passwords only work on the embedded demo database,
        # unless an operator deliberately switches demo mode on.
        demo_mode=_flag(os.environ.get("TRACKER_DEMO_MODE"), uses_default),
        secure_cookies=_flag(os.environ.get("TRACKER_SECURE_COOKIES"), False),
        signin_free_attempts=_optional_int("TRACKER_SIGNIN_FREE_ATTEMPTS") or 3,
        signin_max_wait_seconds=_optional_int("TRACKER_SIGNIN_MAX_WAIT_SECONDS") or 900,
        trusted_proxies=_optional_int("TRACKER_TRUSTED_PROXIES") or 0,
        report_cache=_flag(os.environ.get("TRACKER_REPORT_CACHE"), True),
        disclosure=os.environ.get("TRACKER_DISCLOSURE", "hesa"),
        disclosure_rounding=_optional_int("TRACKER_DISCLOSURE_ROUNDING"),
        disclosure_small_max=_optional_int("TRACKER_DISCLOSURE_SMALL_MAX"),
        disclosure_min_rate_denominator=_optional_int("TRACKER_DISCLOSURE_MIN_RATE_DENOMINATOR"),
        max_upload_mb=_positive_int("TRACKER_MAX_UPLOAD_MB", 20),
        max_import_rows=_positive_int("TRACKER_MAX_IMPORT_ROWS", 200_000),
        audit_interval_months=_positive_int("TRACKER_AUDIT_INTERVAL_MONTHS", 24),
        quality_min_responses=max(2, _positive_int("TRACKER_QUALITY_MIN_RESPONSES", 5)),
        oidc_issuer=os.environ.get("TRACKER_OIDC_ISSUER") or None,
        oidc_discovery_url=os.environ.get("TRACKER_OIDC_DISCOVERY_URL") or None,
        oidc_client_id=os.environ.get("TRACKER_OIDC_CLIENT_ID") or None,
        oidc_client_secret=os.environ.get("TRACKER_OIDC_CLIENT_SECRET") or None,
        oidc_scopes=os.environ.get("TRACKER_OIDC_SCOPES") or "openid profile email",
        oidc_redirect_uri=os.environ.get("TRACKER_OIDC_REDIRECT_URI") or None,
        oidc_claim_rules=os.environ.get("TRACKER_OIDC_CLAIM_RULES", ""),
        oidc_leeway_seconds=_positive_int("TRACKER_OIDC_LEEWAY_SECONDS", 60),
        local_passwords=_flag(os.environ.get("TRACKER_LOCAL_PASSWORDS"), True),
        smtp_host=os.environ.get("TRACKER_SMTP_HOST") or None,
        smtp_port=_optional_int("TRACKER_SMTP_PORT"),
        smtp_username=os.environ.get("TRACKER_SMTP_USERNAME") or None,
        smtp_password=os.environ.get("TRACKER_SMTP_PASSWORD") or None,
        smtp_from=os.environ.get("TRACKER_SMTP_FROM") or "placements@localhost",
        smtp_tls=_smtp_tls(os.environ.get("TRACKER_SMTP_TLS")),
        smtp_max_attempts=_positive_int("TRACKER_SMTP_MAX_ATTEMPTS", 8),
        smtp_retry_seconds=_positive_int("TRACKER_SMTP_RETRY_SECONDS", 60),
        smtp_stale_seconds=_positive_int("TRACKER_SMTP_STALE_SECONDS", 600),
    )


SMTP_TLS_MODES = ("starttls", "ssl", "none")


def _smtp_tls(value: str | None) -> str:
    """TRACKER_SMTP_TLS, checked: a typo must not silently send passwords in clear text."""
    mode = (value or "starttls").strip().lower()
    if mode not in SMTP_TLS_MODES:
        known = ", ".join(SMTP_TLS_MODES)
        raise ValueError(f"TRACKER_SMTP_TLS must be one of {known}, not {value!r}.")
    return mode


def disclosure_policy(settings: Settings) -> DisclosurePolicy:
    """The disclosure convention configured for this deployment (HESA unless set otherwise).

    Raises ValueError on an unknown convention or a threshold out of range, so the app
    refuses to start rather than show figures under a convention nobody chose.
    """
    # Imported here, not at the top: the measures bring pandas and scipy, which the command
    # line must not pay for on every start.
    from tracker.measures.disclosure import make_policy

    return make_policy(
        settings.disclosure,
        rounding_base=settings.disclosure_rounding,
        small_max=settings.disclosure_small_max,
        min_rate_denominator=settings.disclosure_min_rate_denominator,
    )
