from datetime import date

from hypothesis import assume, given
from hypothesis import strategies as st

from recruit.accounts.iin import FIRST_WEIGHTS, birth_date, check_digit, is_valid_iin
from tests.factories import make_iin

births = st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31))


@st.composite
def valid_iins(draw) -> str:
    iin = make_iin(draw(births), draw(st.booleans()), draw(st.integers(0, 9999)))
    assume(iin is not None)
    return iin


@given(valid_iins())
def test_numbers_made_by_the_algorithm_are_valid(iin):
    assert is_valid_iin(iin)


def _first_pass(digits: str) -> int:
    return sum(int(d) * w for d, w in zip(digits[:11], FIRST_WEIGHTS, strict=True)) % 11


def _change(iin: str, position: int, shift: int) -> str:
    return iin[:position] + str((int(iin[position]) + shift) % 10) + iin[position + 1:]


@given(valid_iins(), st.integers(0, 11), st.integers(1, 9))
def test_a_single_changed_digit_is_refused(iin, position, shift):
    """Every weight of the first pass but the 11th is coprime with 11, so a change moves the checksum."""
    changed = _change(iin, position, shift)
    assume(position != 10 and _first_pass(iin) != 10 and _first_pass(changed) != 10)
    assert not is_valid_iin(changed)


@given(valid_iins(), st.integers(0, 11), st.integers(1, 9))
def test_a_changed_digit_passes_only_through_the_algorithms_known_gaps(iin, position, shift):
    """The national algorithm has two gaps: the 11th digit weighs 11 (0 mod 11), and a change can move a
    number between the first and the second pass. Any accepted change must be one of these, nothing else."""
    changed = _change(iin, position, shift)
    if is_valid_iin(changed):
        assert position == 10 or 10 in (_first_pass(iin), _first_pass(changed))


def test_the_gaps_are_real():
    assert FIRST_WEIGHTS[10] % 11 == 0
    assert is_valid_iin("100101300000") and is_valid_iin("200101300000")  # a switch between passes


@given(valid_iins())
def test_the_birth_date_is_read_back(iin):
    assert birth_date(iin) is not None


def test_known_number_and_malformed_input():
    assert is_valid_iin("950315400125")
    assert birth_date("950315400125") == date(1995, 3, 15)
    for bad in ("", "95031540012", "9503154001250", "95031540012a", "９５０３１５４００１２５", "951315400125",
                "950315000125", "950315700125"):
        assert not is_valid_iin(bad), bad


def test_second_pass_is_used_when_the_first_gives_ten():
    first_eleven = next(
        f"{n:011d}" for n in range(10**10, 10**10 + 10_000)
        if sum(int(d) * w for d, w in zip(f"{n:011d}", FIRST_WEIGHTS, strict=True)) % 11 == 10
        and check_digit(f"{n:011d}") is not None
    )
    weights = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
    assert check_digit(first_eleven) == sum(int(d) * w for d, w in zip(first_eleven, weights, strict=True)) % 11
