"""Pathway templates: the shipped pathways and every refusal of the check."""

import pytest

from portal.content import ContentError
from portal.content.consents import PARTIES_FILE
from portal.content.pathways import (
    APPOINTMENT_TYPES,
    check_pathways,
    latest,
    load_all,
    load_template,
    responsible_keys,
    responsible_label,
)

VALID = """
key = "short"
version = 1
title.fi = "Lyhyt polku"
title.sv = "Kort stig"
description.fi = "Kaksi vaihetta."
description.sv = "Två steg."

[[step]]
key = "consent"
responsible = "client"
expected_days = 14
title.fi = "Suostumus"
title.sv = "Samtycke"
meaning.fi = "Sinulta kysytään suostumusta."
meaning.sv = "Du tillfrågas om samtycke."
client_action.fi = "Lue suostumus."
client_action.sv = "Läs samtycket."
typical_duration.fi = "Kymmenen minuuttia."
typical_duration.sv = "Tio minuter."
action.kind = "consent"
action.target = "tym_data_exchange"
action.label.fi = "Avaa suostumus"
action.label.sv = "Öppna samtycket"

[[step]]
key = "decision"
responsible = "kela"
skippable = true
title.fi = "Päätös"
title.sv = "Beslut"
meaning.fi = "Kela päättää."
meaning.sv = "FPA beslutar."
typical_duration.fi = "Viisi viikkoa."
typical_duration.sv = "Fem veckor."
"""


def write(directory, text=VALID, name="short.v1.toml"):
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def changed(old, new):
    assert old in VALID, old
    return VALID.replace(old, new, 1)


def test_shipped_pathways_pass_the_check():
    assert check_pathways() == []


def test_the_vocational_rehabilitation_pathway_has_the_twelve_steps_in_order():
    pathway = latest("kela_vocational_rehabilitation")
    keys = [step.key for step in pathway.steps]
    assert len(keys) == 12
    assert keys[0] == "referral"
    assert keys[-1] == "closing_and_follow_up"
    assert keys.index("consent") < keys.index("rehabilitation_interview") < keys.index("application")
    assert keys.index("application") < keys.index("kela_processing") < keys.index("decision")


def test_the_vocational_rehabilitation_pathway_calls_for_the_right_actions():
    pathway = latest("kela_vocational_rehabilitation")
    actions = {step.key: (step.action.kind, step.action.target) for step in pathway.steps if step.action}
    assert actions["consent"] == ("consent", "tym_data_exchange")
    assert actions["pre_interview_questionnaire"] == ("questionnaire", "kela_pre_interview")
    assert actions["rehabilitation_interview"] == ("booking", "rehabilitation_interview")
    assert actions["health_check_b_statement"] == ("booking", "nurse_appointment")
    assert actions["application"] == ("document", "ku101")
    assert pathway.step("health_check_b_statement").skippable
    assert pathway.step("kela_processing").expected_days == 35
    assert [step.key for step in pathway.steps if step.skippable] == ["health_check_b_statement"]


def test_the_assessment_pathway_is_shorter_and_ends_with_follow_up_days():
    assessment = latest("kela_rehabilitation_assessment")
    assert len(assessment.steps) < len(latest("kela_vocational_rehabilitation").steps)
    assert "12" in assessment.description["fi"]
    assert "1–3" in assessment.step("follow_up").meaning["sv"]
    assert assessment.next_step("follow_up") is None
    assert assessment.next_step("consent") == assessment.steps[1]


def test_every_shipped_step_speaks_both_languages_and_names_who_is_responsible():
    for pathway in load_all().values():
        for step in pathway.steps:
            for texts in (step.title, step.meaning, step.typical_duration):
                assert set(texts) == {"fi", "sv"}
            assert set(step.client_action) in ({"fi", "sv"}, set())
            assert step.responsible in responsible_keys()
            if step.action and step.action.kind == "booking":
                assert step.action.target in APPOINTMENT_TYPES


def test_responsible_labels_come_from_the_party_registry_and_the_client():
    assert responsible_label("client", "fi") == "sinä itse"
    assert responsible_label("client", "sv") == "du själv"
    assert responsible_label("kela", "sv") == "FPA"
    assert set(responsible_keys()) == {
        "kela",
        "keusote",
        "employment_authority",
        "rehabilitation_provider",
        "client",
    }


def test_a_small_valid_pathway_passes(tmp_path):
    path = write(tmp_path)
    assert check_pathways(tmp_path) == []
    pathway = load_template(path)
    assert pathway.step("decision").client_action == {}
    assert pathway.step("decision").action is None


REFUSALS = {
    "missing Swedish title": (('title.sv = "Kort stig"\n', ""), "title.sv is missing"),
    "missing Swedish step meaning": (('meaning.sv = "FPA beslutar."\n', ""), "meaning.sv is missing"),
    "half a client action": (('client_action.sv = "Läs samtycket."\n', ""), "client_action.sv is missing"),
    "missing action label": (('action.label.sv = "Öppna samtycket"\n', ""), "label.sv is missing"),
    "duplicate step key": (('key = "decision"', 'key = "consent"'), "duplicate step 'consent'"),
    "unknown responsible": (('responsible = "kela"', 'responsible = "doctor"'), "responsible 'doctor'"),
    "unknown action kind": (('action.kind = "consent"', 'action.kind = "payment"'), "kind 'payment'"),
    "consent that does not exist": (
        ('"tym_data_exchange"', '"no_such_consent"'),
        "consent 'no_such_consent' does not exist",
    ),
    "questionnaire that does not exist": (
        (
            'action.kind = "consent"\naction.target = "tym_data_exchange"',
            'action.kind = "questionnaire"\naction.target = "no_such_questionnaire"',
        ),
        "questionnaire 'no_such_questionnaire' does not exist",
    ),
    "unknown appointment type": (
        (
            'action.kind = "consent"\naction.target = "tym_data_exchange"',
            'action.kind = "booking"\naction.target = "x"',
        ),
        "appointment type 'x'",
    ),
    "HTML in a step": (('meaning.fi = "Kela päättää."', 'meaning.fi = "<b>Kela</b> päättää."'), "raw HTML"),
    "misspelt field": (("skippable = true", "skipable = true"), "unknown field 'skipable'"),
    "days as text": (("expected_days = 14", 'expected_days = "14"'), "expected_days must be a positive"),
    "key differs from name": (('key = "short"', 'key = "shorter"'), "differs from the file name"),
    "version differs from name": (("version = 1", "version = 3"), "differs from the file name"),
}


@pytest.mark.parametrize("case", REFUSALS, ids=list(REFUSALS))
def test_the_check_refuses(tmp_path, case):
    (old, new), message = REFUSALS[case]
    path = write(tmp_path, changed(old, new))
    problems = check_pathways(tmp_path)
    assert any(message in problem for problem in problems), problems
    with pytest.raises(ContentError, match=r"short\.v1\.toml"):
        load_template(path)


def test_the_check_refuses_a_pathway_without_steps(tmp_path):
    write(tmp_path, VALID[: VALID.index("[[step]]")])
    assert any("needs at least one [[step]]" in problem for problem in check_pathways(tmp_path))


@pytest.mark.parametrize("name", ["short.toml", "short.v1.txt.toml", "short_v1.toml"])
def test_the_check_refuses_a_file_name_without_key_and_version(tmp_path, name):
    write(tmp_path, name=name)
    assert any("<key>.v<version>.toml" in problem for problem in check_pathways(tmp_path))


def test_a_consent_action_is_checked_against_the_consents_directory_given(tmp_path):
    write(tmp_path)
    empty = tmp_path / "no_consents"
    empty.mkdir()
    problems = check_pathways(tmp_path, consents_directory=empty)
    assert any("'tym_data_exchange' does not exist" in problem for problem in problems)


def test_a_responsible_party_must_be_in_the_registry_given(tmp_path):
    write(tmp_path)
    registry = PARTIES_FILE.read_text(encoding="utf-8")
    kela = registry.index('[[party]]\nkey = "kela"')
    parties_file = tmp_path / "parties.toml"
    parties_file.write_text(
        registry[:kela] + registry[registry.index('[[party]]\nkey = "keusote"') :], encoding="utf-8"
    )
    problems = check_pathways(tmp_path, parties_file=parties_file)
    assert any("responsible 'kela'" in problem for problem in problems)
