"""The individual identification number (IIN, ЖСН) as the exchange contract defines it.

Twelve digits: 1–6 the birth date as YYMMDD; 7 the century and sex (1/2 the 1800s, 3/4 the
1900s, 5/6 the 2000s; odd male, even female); 8–11 a serial; 12 a check digit. The check
digit is the sum of digits 1–11 weighted 1..11, modulo 11; when that is 10 the weights
3..11, 1, 2 are used instead, and when it is 10 again no IIN with those eleven digits is
valid.

The functions here never put the number itself in a message: an IIN is personal data.
"""

from __future__ import annotations

from datetime import date

_FIRST_WEIGHTS = tuple(range(1, 12))
_SECOND_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)

# Digit 7: (century, sex) where sex is coded as SEX in the contract (1 male, 2 female).
_CENTURY_AND_SEX = {
    "1": (1800, 1),
    "2": (1800, 2),
    "3": (1900, 1),
    "4": (1900, 2),
    "5": (2000, 1),
    "6": (2000, 2),
}


def check_digit(first_eleven: str) -> int | None:
    """The check digit for eleven digits, or None when no check digit makes them valid."""
    digits = [int(c) for c in first_eleven]
    for weights in (_FIRST_WEIGHTS, _SECOND_WEIGHTS):
        remainder = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if remainder != 10:
            return remainder
    return None


def birth_date(iin: str) -> date | None:
    """The birth date an IIN encodes, or None when it encodes no real date."""
    century_and_sex = _CENTURY_AND_SEX.get(iin[6:7])
    if len(iin) != 12 or not iin.isascii() or not iin.isdigit() or century_and_sex is None:
        return None
    try:
        return date(century_and_sex[0] + int(iin[0:2]), int(iin[2:4]), int(iin[4:6]))
    except ValueError:
        return None


def sex(iin: str) -> int | None:
    """The sex an IIN encodes (1 male, 2 female), or None when digit 7 encodes none."""
    century_and_sex = _CENTURY_AND_SEX.get(iin[6:7]) if len(iin) == 12 else None
    return None if century_and_sex is None else century_and_sex[1]


def problem(iin: str) -> str | None:
    """Why ``iin`` is not a valid IIN, or None when it is (the reason never quotes it)."""
    if len(iin) != 12 or not iin.isascii() or not iin.isdigit():
        return "not 12 digits"
    if iin[6] not in _CENTURY_AND_SEX:
        return "digit 7 is not a century and sex (1 to 6)"
    if birth_date(iin) is None:
        return "digits 1-6 are not a real date"
    expected = check_digit(iin[:11])
    if expected is None:
        return "digits 1-11 admit no check digit"
    if int(iin[11]) != expected:
        return "wrong check digit"
    return None


def is_valid(iin: str) -> bool:
    return problem(iin) is None


def compose(born: date, sex_code: int, serial: int) -> str | None:
    """The IIN for a birth date, sex and 4-digit serial, or None when none is valid."""
    for digit, (century, coded_sex) in _CENTURY_AND_SEX.items():
        if century <= born.year < century + 100 and coded_sex == sex_code:
            first_eleven = f"{born:%y%m%d}{digit}{serial:04d}"
            check = check_digit(first_eleven)
            return None if check is None else f"{first_eleven}{check}"
    raise ValueError("no IIN encodes a birth year outside 1800-2099 or a sex other than 1 or 2")
