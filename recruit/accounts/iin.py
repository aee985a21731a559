"""Kazakhstan's individual identification number (IIN): YYMMDD, a century/sex digit, 4 serial digits, a check digit.

Check digit: sum of digits 1..11 weighted 1..11, mod 11; if that gives 10, a second pass with weights
3..11,1,2; if that gives 10 too, the number is never issued.
"""

from __future__ import annotations

from datetime import date

FIRST_WEIGHTS = tuple(range(1, 12))
SECOND_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
CENTURY = {1: 1800, 2: 1800, 3: 1900, 4: 1900, 5: 2000, 6: 2000}


def check_digit(first_eleven: str) -> int | None:
    """The check digit for 11 leading digits, or None if no valid IIN starts with them."""
    digits = [int(c) for c in first_eleven]
    for weights in (FIRST_WEIGHTS, SECOND_WEIGHTS):
        remainder = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if remainder != 10:
            return remainder
    return None


def birth_date(iin: str) -> date | None:
    """The birth date the IIN encodes, or None if it encodes no real date."""
    century = CENTURY.get(int(iin[6]))
    if century is None:
        return None
    try:
        return date(century + int(iin[0:2]), int(iin[2:4]), int(iin[4:6]))
    except ValueError:
        return None


def is_valid_iin(value: str) -> bool:
    if len(value) != 12 or not value.isascii() or not value.isdigit():
        return False
    return birth_date(value) is not None and check_digit(value[:11]) == int(value[11])
