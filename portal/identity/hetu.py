"""The Finnish personal identity code (hetu): validation, masking, encrypted storage helpers."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from stdnum.exceptions import InvalidChecksum, ValidationError
from stdnum.fi import hetu as stdnum_hetu

from portal import crypto
from portal.typed import plain

CONTEXT = "client.hetu"
CENTURIES = {"+": 1800, **dict.fromkeys("-YXWVU", 1900), **dict.fromkeys("ABCDEF", 2000)}


class InvalidHetu(ValueError):
    """Not a valid personal identity code, or a test code where real ones are required.

    `reason`: "check" (the check character does not match: a digit typed wrong), "test" (a test code
    where real ones are required), "future" (born after today: the century sign typed wrong, which
    the check character does not cover) or "form" (anything else)."""

    def __init__(self, message: str, reason: str = "form") -> None:
        super().__init__(message)
        self.reason = reason


def normalise(value: str) -> str:
    """The code as typed, in the characters it is stored in: full-width digits and letters (NFKC)
    and any dash read as their plain forms, upper case. Otherwise the century sign is never
    rewritten: it is part of the identity ("A" and "-" are different people)."""
    return plain(value).strip().upper()


def validate(value: str, *, allow_test_codes: bool) -> str:
    """The code if its date, individual number and check character are right, for every century sign."""
    code = normalise(value)
    if not code.isascii():  # stdnum takes any digit Python knows: "١٥٠٣٨٥-9013" would pass
        raise InvalidHetu("invalid personal identity code")
    try:
        stdnum_hetu.validate(code, allow_temporary=True)
    except InvalidChecksum as error:
        raise InvalidHetu("the check character does not match", "check") from error
    except ValidationError as error:
        raise InvalidHetu("invalid personal identity code") from error
    if len(code) != 11 or code[6] not in CENTURIES:
        raise InvalidHetu("invalid century sign")
    individual = int(code[7:10])
    if individual < 2:
        raise InvalidHetu("invalid individual number")
    if birth_date(code) > datetime.now(ZoneInfo("Europe/Helsinki")).date():
        raise InvalidHetu("the date of birth is after today", "future")
    if individual >= 900 and not allow_test_codes:
        raise InvalidHetu("test codes (900-999) are not accepted in production", "test")
    return code


def birth_date(code: str) -> date:
    """The date of birth of a code in the valid form."""
    return date(CENTURIES[code[6]] + int(code[4:6]), int(code[2:4]), int(code[0:2]))


def is_valid(value: str, *, allow_test_codes: bool) -> bool:
    try:
        validate(value, allow_test_codes=allow_test_codes)
    except InvalidHetu:
        return False
    return True


def mask(code: str) -> str:
    """Birth date and century sign only: 150385-9013 becomes 150385-****."""
    return code[:7] + "****"


def lookup(code: str) -> str:
    return crypto.lookup_hash(code, CONTEXT)


def encrypt(code: str) -> bytes:
    return crypto.encrypt(code, CONTEXT)


def decrypt(ciphertext: bytes) -> str:
    return crypto.decrypt(ciphertext, CONTEXT)
