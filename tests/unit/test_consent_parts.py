"""Small parts of the consent feature: receipt codes, and the canonical text laid out word for word."""

import pytest

from portal.content.consents import latest, rendered_text
from portal.services.consent_document import blocks, document_html, plain
from portal.services.consent_seal import CODE_ALPHABET, format_code, new_verification_code, normalise_code


def test_codes_are_twelve_unambiguous_characters():
    codes = {new_verification_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(code) == 12 and set(code) <= set(CODE_ALPHABET) for code in codes)
    assert not set("ILOU") & set(CODE_ALPHABET)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("abcd-efgh-jkmn", "ABCDEFGHJKMN"), (" O1l0 ", "0110"), ("7KQ2 M9XD 4HTA", "7KQ2M9XD4HTA")],
)
def test_codes_are_read_as_typed(typed, stored):
    assert normalise_code(typed) == stored


def test_codes_are_shown_in_groups_of_four():
    assert format_code("ABCDEFGHJKMN") == "ABCD-EFGH-JKMN"


@pytest.mark.parametrize("locale", ["fi", "sv"])
@pytest.mark.parametrize("key", ["tym_data_exchange", "questionnaire_to_provider"])
def test_the_layout_keeps_every_word_of_the_canonical_text(key, locale):
    template = latest(key)
    laid_out = " ".join(block.text for block in blocks(template, locale)).split()
    canonical = [w for w in rendered_text(template, locale).split() if w not in ("-", "##")]
    assert laid_out == canonical
    kinds = [block.kind for block in blocks(template, locale)]
    assert kinds[0] == "title"
    assert kinds.count("heading") >= 7  # the body's headings and the seven fixed sections


def test_the_page_layout_nests_headings_under_the_page():
    html = document_html(latest("tym_data_exchange"), "sv")
    assert html.startswith("<h3>Samtycke till utbyte av uppgifter i TYM-samarbetet</h3>")
    assert "<h4>Parter</h4>" in html
    assert "<h2>" not in html
    assert "<li>FPA → Keusote:" in html


def test_inline_markdown_becomes_plain_text():
    assert (
        plain("**Tärkeää**: lue [ohje](https://kela.fi/ohje) *nyt*")
        == "Tärkeää: lue ohje (https://kela.fi/ohje) nyt"
    )
