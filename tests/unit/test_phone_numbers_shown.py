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


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("040 123 4567", "+358401234567"),
        ("040-1234567", "+358401234567"),
        ("040\u2013123 4567", "+358401234567"),
        ("０４０ １２３ ４５６７", "+358401234567"),
        ("(09) 123 4567", "+35891234567"),
        ("+46 70 123 45 67", "+46701234567"),
    ],
)
def test_a_number_is_read_as_people_type_it(typed, stored):
    assert e164(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "minun hetu 010190-900P",  # a number was found inside it: 010 19 0900 was saved and called
        "+358 40 123 4567 ext 5",  # the extension was dropped unseen
        "04O 123 4567",
        "0700 123 456",  # a service number that charges the caller
        "0600 12345",
    ],
)
def test_a_text_with_more_than_a_number_or_a_number_that_charges_the_caller_is_refused(typed):
    assert e164(typed) is None
