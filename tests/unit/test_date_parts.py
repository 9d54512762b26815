"""The day / month / year date field."""

from datetime import date

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form

from portal.forms.fields import DatePartsField


class DateForm(Form):
    born = DatePartsField("Born")


def test_a_real_date_is_read_from_three_inputs():
    form = DateForm(MultiDict({"born-day": "29", "born-month": "2", "born-year": "2024"}))
    assert form.validate()
    assert form.born.data == date(2024, 2, 29)


@pytest.mark.parametrize(
    ("day", "month", "year"),
    [("30", "2", "2025"), ("31", "4", "2026"), ("1", "13", "2026")],
)
def test_impossible_dates_are_refused_and_kept_as_typed(day, month, year):
    form = DateForm(MultiDict({"born-day": day, "born-month": month, "born-year": year}))
    assert not form.validate()
    assert form.born.errors == ["The date does not exist. Check the day and the month."]
    assert form.born.parts == {"day": day, "month": month, "year": year}


def test_letters_are_refused_with_an_example():
    form = DateForm(MultiDict({"born-day": "x", "born-month": "2", "born-year": "2024"}))
    assert not form.validate()
    assert "for example" in form.born.errors[0]


@pytest.mark.parametrize("day", ["1_5", "+5", "-5", "١٥", "１５", "5.0", "²"])
def test_only_plain_digits_are_read_and_anything_else_is_kept_as_typed(day):
    form = DateForm(MultiDict({"born-day": day, "born-month": "2", "born-year": "2024"}))
    assert not form.validate()
    assert form.born.errors == ["Enter the date as day, month and year, for example 28 11 2026."]
    assert form.born.data is None
    assert form.born.parts["day"] == day


@pytest.mark.parametrize(
    ("year", "message"),
    [
        ("26", "Write the year with four digits, for example 2026."),
        ("202", "Write the year with four digits, for example 2026."),
        ("20266", "Write the year with four digits, for example 2026."),
        ("1066", "Check the year. It cannot be before 1900."),
        ("0026", "Check the year. It cannot be before 1900."),
    ],
)
def test_a_wrong_year_is_named_not_the_day_and_month_that_are_right(year, message):
    form = DateForm(MultiDict({"born-day": "15", "born-month": "3", "born-year": year}))
    assert not form.validate()
    assert form.born.errors == [message]
    assert form.born.data is None
    assert form.born.parts["year"] == year


def test_a_day_and_month_written_with_an_ordinal_dot_are_read():
    form = DateForm(MultiDict({"born-day": "3.", "born-month": "4. ", "born-year": "2026"}))
    assert form.validate()
    assert form.born.data == date(2026, 4, 3)


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (
            {"born-month": "4", "born-year": "2026"},
            "The date has no day. Enter the day as a number, for example 28.",
        ),
        (
            {"born-day": "3", "born-year": "2026"},
            "The date has no month. Enter the month as a number, for example 11.",
        ),
        (
            {"born-day": "3", "born-month": "4"},
            "The date has no year. Enter the year with four digits, for example 2026.",
        ),
    ],
)
def test_a_missing_part_is_named(parts, message):
    form = DateForm(MultiDict(parts))
    assert not form.validate()
    assert form.born.errors == [message]
