"""Numbers and clock times typed or posted back: ASCII digits only, and never a server error."""

from __future__ import annotations

from datetime import time

import pytest

from portal.forms.fields import posted_number
from portal.services.booking.times import parse_clock


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("9", time(9)), ("9.30", time(9, 30)), ("09:30", time(9, 30)), (" 9,05 ", time(9, 5))],
)
def test_clock_times_as_people_type_them(typed, expected):
    assert parse_clock(typed) == expected


# "²".isdigit() is true, and int("²") raises: these once reached int().
# "9.5" would be 9.05 to the parser and half past nine to some people: neither is guessed.
@pytest.mark.parametrize("typed", ["²", "¹:30", "9.³⁰", "١٢", "１０:００", "24", "9.60", "", "9.5", "9.300"])
def test_anything_else_is_not_a_clock_time(typed):
    assert parse_clock(typed) is None


@pytest.mark.parametrize(("posted", "expected"), [("0", 0), (" 12 ", 12), ("123456789", 123456789)])
def test_posted_numbers(posted, expected):
    assert posted_number(posted) == expected


@pytest.mark.parametrize("posted", ["²", "١٢", "１２", "-1", "1.0", "", None, "1234567890"])
def test_a_posted_value_that_is_not_a_plain_number_is_none(posted):
    assert posted_number(posted) is None
