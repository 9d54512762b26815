"""Numbers are shown as the forms' hints write them, so a person recognises their own."""

import pytest

from portal.phone_numbers import e164, readable


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("+358401234567", "040 123 4567"),
        ("+35891234567", "09 123 4567"),
        ("+358912345678", "09 1234 5678"),
        ("+3584012345", "040 12345"),
        ("+46701234567", "+46 70 123 45 67"),
        ("", ""),
    ],
)
def test_a_stored_number_reads_as_people_write_it(stored, shown):
    assert readable(stored) == shown
    if stored:
        assert e164(shown) == stored, "shown in a form, it is read back as the same number"
