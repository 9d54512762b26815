"""Phone numbers: stored in E.164, typed and shown the way people in Finland write them."""

from __future__ import annotations

import re

import phonenumbers

from portal.typed import plain

# Digits, a leading plus and what people put between digits. phonenumbers.parse finds a number
# in any text: "minun hetu 010190-900P" gave 010 19 0900, and "ext 5" was dropped unseen.
_TYPED = re.compile(r"\+?[0-9 ()./-]+")


def e164(value: str) -> str | None:
    """A Finnish or international number in E.164 form, or None when it is not a number or is one
    that charges the caller (a service number such as 0700: not a number to be called back on)."""
    typed = plain(value).strip()
    if not _TYPED.fullmatch(typed):
        return None
    try:
        number = phonenumbers.parse(typed, "FI")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    if phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.PREMIUM_RATE:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_mobile(value: str) -> bool:
    """Whether a number (as typed or stored) can take text messages: a mobile, not a landline."""
    try:
        number = phonenumbers.parse(value, "FI")
    except phonenumbers.NumberParseException:
        return False
    kind = phonenumbers.number_type(number)
    return kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


def readable(value: str | None) -> str:
    """A stored number as a person reads it: 040 123 4567 for a Finnish one (as the hints write it),
    +46 70 123 45 67 otherwise."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "FI")
    except phonenumbers.NumberParseException:
        return value
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 358
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    shown = phonenumbers.format_number(number, style)
    prefix, _space, rest = shown.partition(" ")
    if number.country_code == 358 and rest.isdigit() and len(rest) >= 6:
        return f"{prefix} {rest[:-4]} {rest[-4:]}"  # the last four digits apart, as people write them
    return shown
