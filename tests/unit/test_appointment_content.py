"""Appointment types and offices: the shipped file passes, and the check refuses what it must."""

import pytest

from portal.content.appointments import (
    APPOINTMENTS_FILE,
    MUNICIPALITIES,
    catalogue,
    check_appointments,
    parse,
)
from portal.content.pathways import APPOINTMENT_TYPES

VALID_TYPE = """
[[type]]
key = "{key}"
bookable_by = "network"
duration_minutes = 30
modalities = ["phone"]
min_notice_hours = 1
bookable_days_ahead = 30
name.fi = "Nimi"
name.sv = "Namn"
description.fi = "Kuvaus."
description.sv = "Beskrivning."
"""
OFFICE = """
[[office]]
key = "tuusula"
municipality = "Tuusula"
name.fi = "Toimipiste"
name.sv = "Verksamhetsställe"
address.fi = "Katu 1, 04300 Tuusula"
address.sv = "Gatan 1, 04300 Tusby"
accessibility.fi = "Esteetön."
accessibility.sv = "Tillgänglig."
"""


def valid_file():
    return "version = 1\n" + "".join(VALID_TYPE.format(key=key) for key in APPOINTMENT_TYPES) + OFFICE


def test_the_shipped_types_and_offices_pass_the_check():
    assert check_appointments() == []
    loaded = catalogue(APPOINTMENTS_FILE)
    assert set(APPOINTMENT_TYPES) <= set(loaded.types)
    assert {office.municipality for office in loaded.offices.values()} == set(MUNICIPALITIES)
    assert all(kind.cancel_cutoff_hours >= 1 for kind in loaded.types.values())


def test_a_minimal_file_is_valid_and_the_cut_off_defaults_to_24_hours():
    problems = []
    loaded = parse(valid_file(), "appointments.toml", problems)
    assert problems == []
    assert loaded.types["guidance"].cancel_cutoff_hours == 24


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (lambda text: text.replace('name.sv = "Namn"\n', "", 1), "name.sv is missing"),
        (lambda text: text.replace('"phone"]', '"fax"]', 1), "modalities must be"),
        (lambda text: text.replace('bookable_by = "network"', 'bookable_by = "anyone"', 1), "bookable_by"),
        (lambda text: text.replace('municipality = "Tuusula"', 'municipality = "Helsinki"'), "municipality"),
        (lambda text: text.replace('key = "guidance"', 'key = "network_meeting"'), "duplicate type"),
        (lambda text: text.replace("duration_minutes = 30", "duration_minutes = 0", 1), "duration_minutes"),
        (lambda text: text + 'extra = "x"\n', "unknown field"),
    ],
)
def test_the_check_refuses_a_broken_file(change, complaint):
    problems = []
    parse(change(valid_file()), "appointments.toml", problems)
    assert any(complaint in problem for problem in problems), problems


def test_every_type_the_pathways_name_must_exist():
    problems = []
    text = valid_file().replace('key = "nurse_appointment"', 'key = "other"')
    parse(text, "appointments.toml", problems)
    assert any("nurse_appointment" in problem for problem in problems)
