"""Test data built with the real rules (valid IINs by the official algorithm)."""

from __future__ import annotations

from datetime import date

from recruit.accounts.iin import check_digit

PASSWORD = "correct horse battery staple"


def make_iin(born: date, female: bool, serial: int) -> str | None:
    """A valid IIN for a birth date, sex and serial, or None where the algorithm issues none."""
    century_digit = {1800: 1, 1900: 3, 2000: 5}[born.year // 100 * 100] + (1 if female else 0)
    first = f"{born:%y%m%d}{century_digit}{serial:04d}"
    digit = check_digit(first)
    return None if digit is None else first + str(digit)


def iin_for(n: int) -> str:
    """The n-th distinct valid IIN (serials that admit no check digit are skipped)."""
    serial = n
    while (iin := make_iin(date(1990, 1, 1 + n % 28), n % 2 == 0, serial % 10_000)) is None:
        serial += 5_000
    return iin
