"""Settings read from the environment (RECRUIT_DATABASE_URL, RECRUIT_SECRET_KEY, RECRUIT_ENV, RECRUIT_VAR_DIR;
RECRUIT_REPORTS_DATABASE_URL, a read replica the statistics read from, the primary unless set; and for e-mail, off
unless set, RECRUIT_SMTP_URL such as smtp://user:password@host:587?starttls=1 and RECRUIT_MAIL_FROM)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("RECRUIT_VAR_DIR", PROJECT_ROOT / "var"))
ENVIRONMENTS = ("development", "test", "production")


class SettingsError(RuntimeError):
    """The environment does not describe a safe configuration."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str
    env: str = "development"
    smtp_url: str | None = None
    mail_from: str = "merit@localhost"
    reports_database_url: str | None = None  # None: reports read the primary

    @property
    def production(self) -> bool:
        return self.env == "production"


def _development_secret(path: Path) -> str:
    """Generate the key once and keep it, so sessions and CSRF survive restarts and span workers."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    environ = os.environ if environ is None else environ
    env = environ.get("RECRUIT_ENV", "development")
    if env not in ENVIRONMENTS:
        raise SettingsError(f"RECRUIT_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}")
    secret = environ.get("RECRUIT_SECRET_KEY", "")
    if not secret:
        if env == "production":
            raise SettingsError("RECRUIT_SECRET_KEY must be set when RECRUIT_ENV=production")
        secret = _development_secret(VAR_DIR / "secret_key")
    elif env == "production" and len(secret) < 32:
        raise SettingsError("RECRUIT_SECRET_KEY must be at least 32 characters in production")
    url = environ.get("RECRUIT_DATABASE_URL") or f"sqlite:///{VAR_DIR / 'merit.sqlite3'}"
    return Settings(database_url=url, secret_key=secret, env=env, smtp_url=environ.get("RECRUIT_SMTP_URL") or None,
                    mail_from=environ.get("RECRUIT_MAIL_FROM", "merit@localhost"),
                    reports_database_url=environ.get("RECRUIT_REPORTS_DATABASE_URL") or None)
