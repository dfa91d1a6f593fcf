"""The IIN arithmetic of the exchange contract, against numbers worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from estat import iin

FIRST = tuple(range(1, 12))
SECOND = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)


def weighted(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11


def prefix_where(first_pass: int | None, second_pass_is_ten: bool, born: str = "800517") -> str:
    """Eleven digits of a real birth date whose weight passes come out as asked."""
    for serial in range(10000):
        digits = f"{born}3{serial:04d}"
        first, second = weighted(digits, FIRST), weighted(digits, SECOND)
        if first_pass is None and first == 10 and (second == 10) == second_pass_is_ten:
            return digits
        if first_pass is not None and first == first_pass:
            return digits
    raise AssertionError("no such prefix")


def test_the_first_weight_pass_gives_the_check_digit() -> None:
    digits = prefix_where(first_pass=7, second_pass_is_ten=False)

    assert iin.check_digit(digits) == 7
    assert iin.is_valid(digits + "7")
    assert iin.problem(digits + "8") == "wrong check digit"


def test_the_second_weight_pass_is_used_when_the_first_gives_ten() -> None:
    digits = prefix_where(first_pass=None, second_pass_is_ten=False)
    expected = weighted(digits, SECOND)

    assert iin.check_digit(digits) == expected
    assert iin.is_valid(f"{digits}{expected}")
    # The first pass's 10 is no digit: 0 (10 mod 10) must not pass by accident.
    if expected != 0:
        assert not iin.is_valid(f"{digits}0")


def test_eleven_digits_whose_both_passes_give_ten_admit_no_iin() -> None:
    digits = prefix_where(first_pass=None, second_pass_is_ten=True)

    assert iin.check_digit(digits) is None
    assert all(iin.problem(f"{digits}{d}") == "digits 1-11 admit no check digit" for d in range(10))


@pytest.mark.parametrize("century_digit", ["0", "7", "8", "9"])
def test_digit_seven_outside_one_to_six_is_never_valid(century_digit: str) -> None:
    first_eleven = f"800517{century_digit}0012"
    check = iin.check_digit(first_eleven)
    candidate = f"{first_eleven}{check if check is not None else 0}"

    assert iin.problem(candidate) == "digit 7 is not a century and sex (1 to 6)"
    assert iin.birth_date(candidate) is None
    assert iin.sex(candidate) is None


@pytest.mark.parametrize(
    ("born", "century_digit", "valid"),
    [
        ("000229", "5", True),  # 29 February 2000, a leap year
        ("000229", "3", False),  # 29 February 1900, not a leap year
        ("040229", "5", True),
        ("050229", "5", False),
        ("801317", "3", False),  # month 13
        ("800000", "3", False),  # day 0
        ("800431", "3", False),  # 31 April
    ],
)
def test_the_birth_date_must_be_a_real_date(born: str, century_digit: str, valid: bool) -> None:
    first_eleven = f"{born}{century_digit}0001"
    check = iin.check_digit(first_eleven)
    candidate = f"{first_eleven}{check if check is not None else 0}"

    if valid:
        assert iin.birth_date(candidate) is not None
    else:
        assert iin.birth_date(candidate) is None
        assert iin.problem(candidate) == "digits 1-6 are not a real date"


@pytest.mark.parametrize(
    "text", ["", "80051730012", "8005173001234", "80051730012a", "８00517300127"]
)
def test_anything_but_twelve_ascii_digits_is_refused(text: str) -> None:
    assert iin.problem(text) == "not 12 digits"


@pytest.mark.parametrize(
    ("digit", "century", "sex"),
    [
        ("1", 1800, 1),
        ("2", 1800, 2),
        ("3", 1900, 1),
        ("4", 1900, 2),
        ("5", 2000, 1),
        ("6", 2000, 2),
    ],
)
def test_digit_seven_gives_century_and_sex(digit: str, century: int, sex: int) -> None:
    candidate = f"990101{digit}00010"

    assert iin.birth_date(candidate) == date(century + 99, 1, 1)
    assert iin.sex(candidate) == sex


def test_compose_makes_valid_iins_that_encode_what_was_asked() -> None:
    made = [iin.compose(date(1987, 3, 9), 2, serial) for serial in range(200)]
    valid = [m for m in made if m is not None]

    assert len(valid) > 150
    assert all(iin.is_valid(m) for m in valid)
    assert all(iin.birth_date(m) == date(1987, 3, 9) and iin.sex(m) == 2 for m in valid)
    assert {m[6] for m in valid} == {"4"}


def test_no_message_quotes_the_number() -> None:
    number = "800517300128"

    assert number not in (iin.problem(number) or "")
