"""Personal identity codes: every century sign, the check character, the test range."""

import pytest

from portal.identity import hetu

VALID_TEST_CODES = ["150385-9013", "020792-902S", "240600A903E", "051288Y905T"]


@pytest.mark.parametrize("code", VALID_TEST_CODES)
def test_the_demo_codes_are_valid_outside_production(code):
    assert hetu.validate(code, allow_test_codes=True) == code


@pytest.mark.parametrize("code", VALID_TEST_CODES)
def test_test_codes_are_refused_in_production(code):
    with pytest.raises(hetu.InvalidHetu):
        hetu.validate(code, allow_test_codes=False)


@pytest.mark.parametrize("sign", ["+", "-", "Y", "X", "W", "V", "U", "A", "B", "C", "D", "E", "F"])
def test_every_century_sign_is_accepted(sign):
    # 010203, individual 123: the check character does not depend on the sign.
    number = int("010203123")
    check = "0123456789ABCDEFHJKLMNPRSTUVWXY"[number % 31]
    assert hetu.is_valid(f"010203{sign}123{check}", allow_test_codes=False)


@pytest.mark.parametrize(
    "code",
    [
        "131052-308X",
        "310285-9013",
        "150385/9013",
        "150385-901",
        "",
        "150385G9013",
        "150385-0013",
        "300279-123Z",
    ],
)
def test_wrong_codes_are_refused(code):
    assert not hetu.is_valid(code, allow_test_codes=True)


def test_the_century_sign_is_part_of_the_identity():
    # 010190-123M and 010190Y123M are different people; neither is rewritten into the other.
    assert hetu.normalise("010190y123m") == "010190Y123M"
    assert hetu.validate("010190-123M", allow_test_codes=False) != hetu.validate(
        "010190Y123M", allow_test_codes=False
    )


@pytest.mark.parametrize(
    "typed",
    [
        "150385\u20139013",
        "150385\u20149013",
        "150385\u20109013",
        "150385\u22129013",
        "１５０３８５-９０１３",
        " 150385-9013\t",
    ],
)
def test_a_code_typed_with_another_dash_or_full_width_digits_is_the_same_code(typed):
    # An en dash once reached the century table and failed the page (500); full-width digits
    # passed as they were and made a second, unnamed client of the same person.
    assert hetu.validate(typed, allow_test_codes=True) == "150385-9013"


@pytest.mark.parametrize("typed", ["١٥٠٣٨٥-9013", "150385_9013", "150385\u00b79013"])
def test_digits_of_other_scripts_and_other_signs_are_refused_not_failed_on(typed):
    assert not hetu.is_valid(typed, allow_test_codes=True)


def test_masking_shows_only_the_birth_date():
    assert hetu.mask("150385-9013") == "150385-****"


def test_the_examples_professionals_are_shown_are_nobodys_demo_code(tmp_path):
    """An adviser typing the hint's example must not open a (demo) client's data."""
    import re

    from flask_wtf import FlaskForm

    from portal import create_app
    from portal.demo import demo_people
    from portal.forms import messages
    from portal.forms.fields import HetuField

    class Search(FlaskForm):
        code = HetuField()

    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"})
    with app.test_request_context():
        shown = f"{messages.HETU_INVALID} {Search(meta={'csrf': False}).code.description}"
    examples = set(re.findall(r"\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]", shown))
    assert len(examples) == 1
    assert examples.isdisjoint(person["hetu"] for person in demo_people()["client"])
    assert all(int(code[7:10]) >= 900 for code in examples), "a test code: never a real person's"


@pytest.mark.parametrize(
    ("code", "allow", "reason"),
    [
        ("150385-9014", True, "check"),
        ("150385/9013", True, "form"),
        ("010203-9002", False, "test"),
        # A for - : born in 2085. The check character does not cover the century sign.
        ("150385A9013", True, "future"),
    ],
)
def test_a_refused_code_says_what_is_wrong_with_it(code, allow, reason):
    with pytest.raises(hetu.InvalidHetu) as refused:
        hetu.validate(code, allow_test_codes=allow)
    assert refused.value.reason == reason


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Tunnus 150385-9013.", True),
        ("hetu:240600a903e", True),
        ("(051288Y905T)", True),
        ("Soita 040 123 4567 tai 0401234567", False),
        ("Aika 12.12.2026 klo 9.00", False),
        ("Viite 1234567-1234", False),
        ("Tilaus 1503859013", False),
    ],
)
def test_a_free_text_is_refused_only_for_something_written_like_an_identity_code(text, found):
    from wtforms import Form, StringField
    from wtforms.validators import ValidationError

    from portal.forms.fields import NoIdentityCode

    class Text(Form):
        body = StringField()

    form = Text(data={"body": text})
    try:
        NoIdentityCode()(form, form.body)
    except ValidationError:
        refused = True
    else:
        refused = False
    assert refused is found
