"""Consent templates: the shipped files, every refusal of the check, and the canonical signed text."""

import dataclasses
import hashlib
import unicodedata
from datetime import date

import pytest

from portal.content import ContentError
from portal.content.consents import (
    CONSENTS_DIR,
    PARTIES_FILE,
    check_consents,
    expires_on,
    latest,
    load_all,
    load_party_registry,
    load_template,
    read_parties,
    render_body_html,
    rendered_text,
    text_sha256,
)

# The evidence of every signed consent is the hash of its text: a published version must never change.
PUBLISHED = {
    ("tym_data_exchange", 1, "fi"): "7fb1495a90e8318f15feac4fd9233bac449eeb3882d4ad834103bd53f815ed4c",
    ("tym_data_exchange", 1, "sv"): "4cb6db0ef68f73f9231445856d53fe80ed64f7e36283073a97af3609cf8d51af",
    ("tym_data_exchange", 2, "fi"): "8e85d634293ea4d6f0a8abcfd08cdafa0a2b5845f158cdec28f3ef7404b62455",
    ("tym_data_exchange", 2, "sv"): "d6ce8993ffbe317f0f4c6b32447d4f92ccfd36e905a2441376fb758debf55049",
    (
        "questionnaire_to_provider",
        2,
        "fi",
    ): "1d96d916c973ca401bfdd7da7c8fecdff3ef931b7ccdf021582618391244f0cf",
    (
        "questionnaire_to_provider",
        2,
        "sv",
    ): "9bd7f91ed7f0587196bc1565b65c5893b4b801be18edd4be85cb6179832e8281",
    (
        "questionnaire_to_provider",
        1,
        "fi",
    ): "1d96d916c973ca401bfdd7da7c8fecdff3ef931b7ccdf021582618391244f0cf",
    (
        "questionnaire_to_provider",
        1,
        "sv",
    ): "1535a7934b8df3b722ff9a421921393337db962c4c563bfc7e154a49bb4d32ef",
}

VALID = '''
key = "small"
version = 1
parties = ["kela", "keusote"]
validity_months = 6
title.fi = "Otsikko"
title.sv = "Rubrik"
summary.fi = "Tiivistelmä."
summary.sv = "Sammanfattning."
body.fi = """
## Mistä on kyse

Keusote antaa Kelalle **terveystietoja**.
"""
body.sv = """
## Vad det handlar om

Keusote lämnar ut **hälsouppgifter** till FPA.
"""
validity.fi = "Kuusi kuukautta."
validity.sv = "Sex månader."
refusal.fi = "Voit kieltäytyä."
refusal.sv = "Du kan vägra."
revocation.fi = "Voit perua."
revocation.sv = "Du kan återkalla."

[[purpose]]
key = "assessment"
label.fi = "Kuntoutustarpeen arvio"
label.sv = "Bedömning av rehabiliteringsbehovet"

[[purpose]]
key = "contact"
optional = true
label.fi = "Yhteydenpito"
label.sv = "Kontakt"

[[category]]
key = "health"
health = true
label.fi = "Terveystiedot"
label.sv = "Hälsouppgifter"

[[flow]]
from = "keusote"
to = "kela"
categories = ["health"]
'''


FINNISH_BODY = VALID[VALID.index("body.fi") : VALID.index("body.sv")]


def write(directory, text=VALID, name="small.v1.toml"):
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def changed(old, new, text=VALID):
    assert old in text, old
    return text.replace(old, new, 1)


def test_shipped_templates_and_parties_pass_the_check():
    assert check_consents() == []


def test_shipped_templates_load_by_key_and_version():
    templates = load_all()
    assert ("tym_data_exchange", 1) in templates
    assert ("questionnaire_to_provider", 1) in templates
    # New requests use the newest version; the earlier ones stay for the consents signed on them.
    assert (latest("tym_data_exchange").version, latest("questionnaire_to_provider").version) == (2, 2)
    assert ("tym_data_exchange", 2) in templates
    with pytest.raises(KeyError):
        latest("no_such_consent")


def test_tym_consent_lets_each_party_disclose_to_the_other_two():
    template = latest("tym_data_exchange")
    keys = [party.key for party in template.parties]
    assert keys == ["kela", "keusote", "employment_authority"]
    pairs = {(flow.from_party, flow.to_party) for flow in template.flows}
    assert pairs == {(a, b) for a in keys for b in keys if a != b}


def test_tym_consent_has_the_four_purposes_with_only_provider_contact_optional():
    template = latest("tym_data_exchange")
    assert len(template.purposes) == 4
    assert [p.key for p in template.purposes if p.optional] == ["provider_contact"]
    assert template.category("health").health
    assert template.category("questionnaire_answers").optional
    assert (template.validity_months, template.valid_until_rule) == (12, "client_relationship_end")


def test_questionnaire_consent_is_narrower():
    template = latest("questionnaire_to_provider")
    assert template.validity_months == 6
    assert len(template.purposes) == 1
    assert 1 <= len(template.categories) <= 2
    assert [party.key for party in template.parties] == ["kela", "rehabilitation_provider"]


def test_party_registry_never_holds_a_business_id_that_fails_the_checksum():
    parties = load_party_registry()
    assert set(parties) == {"kela", "keusote", "employment_authority", "rehabilitation_provider"}
    assert parties["kela"].business_id == "0246246-0"
    assert parties["kela"].name == {"fi": "Kansaneläkelaitos", "sv": "Folkpensionsanstalten"}


@pytest.mark.parametrize(("key", "version", "locale"), sorted(PUBLISHED))
def test_published_texts_never_change(key, version, locale):
    assert text_sha256(load_all()[(key, version)], locale) == PUBLISHED[(key, version, locale)]


def test_a_small_valid_template_passes(tmp_path):
    write(tmp_path)
    assert check_consents(tmp_path) == []
    assert load_template(tmp_path / "small.v1.toml").key == "small"


REFUSALS = {
    "missing Swedish title": (('title.sv = "Rubrik"\n', ""), "title.sv is missing"),
    "missing Swedish label": (('label.sv = "Kontakt"', ""), "label.sv is missing"),
    "empty Finnish body": ((FINNISH_BODY, 'body.fi = """\n\n"""\n'), "body.fi is missing"),
    "unknown language": (
        ('title.sv = "Rubrik"', 'title.sv = "Rubrik"\ntitle.en = "Title"'),
        "unknown language",
    ),
    "unknown party": (
        ('["kela", "keusote"]', '["kela", "keusote", "tax_office"]'),
        "unknown party 'tax_office'",
    ),
    "flow party not listed": (
        ('from = "keusote"', 'from = "employment_authority"'),
        "not in the template's parties",
    ),
    "flow to itself": (('to = "kela"', 'to = "keusote"'), "cannot disclose to itself"),
    "duplicate purpose": (('key = "contact"', 'key = "assessment"'), "duplicate purpose 'assessment'"),
    "undeclared flow category": (('["health"]', '["health", "income"]'), "category 'income' is not declared"),
    "raw HTML in body": (("**terveystietoja**.", "<script>alert(1)</script>"), "body.fi contains raw HTML"),
    "HTML comment": (("**hälsouppgifter**", "<!-- x -->"), "body.sv contains raw HTML"),
    "image in body": (("**terveystietoja**.", "![x](https://example.fi/x.png)"), "image"),
    "validity missing": (("validity_months = 6\n", ""), "validity missing"),
    "unknown end rule": (
        ("validity_months = 6", 'valid_until_rule = "forever"'),
        "valid_until_rule 'forever'",
    ),
    "misspelt field": (
        ("validity_months = 6", "validity_months = 6\nvalidty = 1"),
        "unknown field 'validty'",
    ),
    "key differs from name": (('key = "small"', 'key = "smal"'), "differs from the file name"),
    "version differs from name": (("version = 1", "version = 2"), "differs from the file name"),
    "version as text": (("version = 1", 'version = "1"'), "differs from the file name"),
    "only optional purposes": (('key = "assessment"', 'key = "assessment"\noptional = true'), "not optional"),
}


@pytest.mark.parametrize("case", REFUSALS, ids=list(REFUSALS))
def test_the_check_refuses(tmp_path, case):
    (old, new), message = REFUSALS[case]
    path = write(tmp_path, changed(old, new))
    problems = check_consents(tmp_path)
    assert any(message in problem for problem in problems), problems
    with pytest.raises(ContentError, match=r"small\.v1\.toml"):
        load_template(path)


def test_the_check_refuses_a_duplicate_category(tmp_path):
    extra = '\n[[category]]\nkey = "health"\nlabel.fi = "Toinen"\nlabel.sv = "Annan"\n'
    write(tmp_path, VALID + extra)
    assert any("duplicate category 'health'" in problem for problem in check_consents(tmp_path))


def test_the_check_refuses_a_template_without_purposes(tmp_path):
    start, end = VALID.index("[[purpose]]"), VALID.index("[[category]]")
    write(tmp_path, VALID[:start] + VALID[end:])
    assert any("needs at least one [[purpose]]" in problem for problem in check_consents(tmp_path))


def test_the_check_refuses_a_category_that_no_flow_discloses(tmp_path):
    extra = '\n[[category]]\nkey = "unused"\nlabel.fi = "Turha"\nlabel.sv = "Onödig"\n'
    write(tmp_path, VALID + extra)
    assert any("'unused' is in no flow" in problem for problem in check_consents(tmp_path))


@pytest.mark.parametrize(
    "name", ["small.toml", "small.v01.toml", "Small.v1.toml", "small-v1.toml", "small.v0.toml"]
)
def test_the_check_refuses_a_file_name_without_key_and_version(tmp_path, name):
    write(tmp_path, name=name)
    assert any("<key>.v<version>.toml" in problem for problem in check_consents(tmp_path))


def test_the_check_refuses_a_party_registry_with_a_bad_business_id(tmp_path):
    registry = PARTIES_FILE.read_text(encoding="utf-8").replace(
        'business_id = "0246246-0"', 'business_id = "0246246-1"'
    )
    parties_file = tmp_path / "parties.toml"
    parties_file.write_text(registry, encoding="utf-8")
    assert any("checksum" in problem for problem in check_consents(CONSENTS_DIR, parties_file))
    with pytest.raises(ContentError):
        read_parties(parties_file)


def test_the_check_refuses_a_party_without_a_swedish_name(tmp_path):
    registry = PARTIES_FILE.read_text(encoding="utf-8").replace('name.sv = "Folkpensionsanstalten"\n', "")
    parties_file = tmp_path / "parties.toml"
    parties_file.write_text(registry, encoding="utf-8")
    assert any("name.sv is missing" in problem for problem in check_consents(CONSENTS_DIR, parties_file))


def test_the_check_refuses_an_empty_directory(tmp_path):
    assert check_consents(tmp_path) == [f"{tmp_path.name}: no consent templates"]


def test_rendered_text_is_the_same_every_time(tmp_path):
    template = latest("tym_data_exchange")
    again = load_template(CONSENTS_DIR / f"tym_data_exchange.v{template.version}.toml")
    for locale in ("fi", "sv"):
        assert rendered_text(template, locale) == rendered_text(again, locale)
        assert (
            text_sha256(template, locale) == hashlib.sha256(rendered_text(again, locale).encode()).hexdigest()
        )


def test_rendered_text_does_not_depend_on_how_the_editor_saved_the_file(tmp_path):
    composed = load_template(write(tmp_path))
    decomposed_dir = tmp_path / "other"
    decomposed_dir.mkdir()
    text = unicodedata.normalize("NFD", VALID).replace("\n", "  \r\n")
    decomposed = load_template(write(decomposed_dir, text))
    assert rendered_text(composed, "sv") == rendered_text(decomposed, "sv")


@pytest.mark.parametrize("key", ["tym_data_exchange", "questionnaire_to_provider"])
def test_rendered_text_differs_by_language_and_names_every_purpose_and_party(key):
    template = latest(key)
    finnish, swedish = rendered_text(template, "fi"), rendered_text(template, "sv")
    assert finnish != swedish
    for locale, text in (("fi", finnish), ("sv", swedish)):
        assert template.title[locale] in text
        for purpose in template.purposes:
            assert purpose.label[locale] in text
        for party in template.parties:
            assert party.name[locale] in text
            assert party.short_name[locale] in text
        for category in template.categories:
            assert category.label[locale] in text
        assert template.refusal[locale] in text
        assert template.revocation[locale] in text


def test_rendered_text_marks_optional_and_health_items():
    text = rendered_text(latest("tym_data_exchange"), "fi")
    assert "(valinnainen)" in text
    assert "(terveystieto, valinnainen)" in text
    assert "Kela → Keusote:" in text


def test_rendered_text_changes_when_the_body_changes():
    template = latest("tym_data_exchange")
    edited = dataclasses.replace(template, body={**template.body, "fi": template.body["fi"] + " Lisäys."})
    assert rendered_text(edited, "fi") != rendered_text(template, "fi")
    assert rendered_text(edited, "sv") == rendered_text(template, "sv")


def test_rendered_text_refuses_an_unknown_language():
    with pytest.raises(ValueError, match="en"):
        rendered_text(latest("tym_data_exchange"), "en")


@pytest.mark.parametrize("key", ["tym_data_exchange", "questionnaire_to_provider"])
def test_body_renders_as_html_without_raw_markup(key):
    for locale in ("fi", "sv"):
        html = str(render_body_html(latest(key), locale))
        assert "<h2>" in html
        assert "<script" not in html
        assert "##" not in html


def test_months_run_to_the_same_day_or_the_end_of_a_shorter_month():
    assert expires_on(latest("tym_data_exchange"), date(2026, 1, 31)) == date(2027, 1, 31)
    assert expires_on(latest("questionnaire_to_provider"), date(2026, 8, 31)) == date(2027, 2, 28)
    assert expires_on(latest("questionnaire_to_provider"), date(2026, 12, 15)) == date(2027, 6, 15)


def test_the_professionals_words_say_of_the_client_what_the_template_says_to_them():
    template = latest("questionnaire_to_provider")
    answers = template.category("questionnaire_answers")
    assert answers.label == {"fi": "Esitietokyselyn vastauksesi", "sv": "Dina svar på frågeformuläret"}
    assert answers.label_for_staff == {"fi": "Esitietokyselyn vastaukset", "sv": "Svaren på frågeformuläret"}
    assert "dina" not in template.title_for_staff["sv"]
    # A label the file does not list is the template's own, and the signed text does not change.
    health = latest("tym_data_exchange").category("health")
    assert health.label_for_staff == health.label
    assert "vastauksesi" in rendered_text(template, "fi")


def test_the_check_refuses_professionals_words_for_no_template_or_in_one_language(tmp_path):
    write(tmp_path)
    words = tmp_path / "elsewhere" / "words.toml"  # not among the templates
    words.parent.mkdir()
    words.write_text(
        '[purpose.typo_purpose]\nfi = "Jotain"\nsv = "Något"\n\n[category.health]\nfi = "Terveystiedot"\n',
        encoding="utf-8",
    )
    problems = check_consents(tmp_path, words_file=words)
    assert any("purpose 'typo_purpose' is in no consent template" in problem for problem in problems)
    assert any("category: health.sv is missing" in problem for problem in problems)
    words.write_text('[category.health]\nfi = "Terveystiedot"\nsv = "Hälsouppgifter"\n', encoding="utf-8")
    assert check_consents(tmp_path, words_file=words) == []
