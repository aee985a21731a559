"""Password policy and argon2id hashing (OWASP parameters: m=19456 KiB, t=2, p=1)."""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from recruit.i18n import N_

MIN_LENGTH = 10
MAX_LENGTH = 256
HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1, hash_len=32, salt_len=16, type=Type.ID)
# Verified against for unknown e-mails, so a miss costs the same time as a wrong password.
_DUMMY_HASH = HASHER.hash("merit-dummy-password-never-matches")


@cache
def common_passwords() -> frozenset[str]:
    """About 20,000 common passwords (Royce Williams' list, as bundled with Django 5.2, BSD licence)."""
    path = Path(__file__).with_name("common-passwords.txt.gz")
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip().lower() for line in handle if line.strip())


def password_problem(password: str, *, personal: tuple[str, ...] = ()) -> str | None:
    """The reason a password is refused (an English message id), or None if acceptable."""
    if len(password) < MIN_LENGTH:
        return N_("The password must have at least 10 characters.")
    if len(password) > MAX_LENGTH:
        return N_("The password must have at most 256 characters.")
    lowered = password.lower()
    if lowered in common_passwords():
        return N_("This password is too common.")
    if any(item and item.lower() in lowered for item in personal):
        return N_("The password must not contain your e-mail or IIN.")
    return None


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not the account exists."""
    try:
        return HASHER.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return HASHER.check_needs_rehash(password_hash)
