"""FHIR R4B export of questionnaire definitions and answers, checked against the fhir.resources models."""

from datetime import UTC, datetime

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire as FhirQuestionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse as FhirResponse

from portal.content.questionnaires import (
    QUESTIONNAIRES_DIR,
    Condition,
    Item,
    Page,
    Questionnaire,
    Section,
    load_questionnaire,
    prune_hidden,
    visible_items,
    visible_pages,
)
from portal.fhir import (
    MAX_VALUE,
    MIN_VALUE,
    OPTION_EXCLUSIVE,
    TRANSLATION,
    questionnaire_to_fhir,
    response_to_fhir,
)

AUTHORED = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def shipped():
    return load_questionnaire(QUESTIONNAIRES_DIR / "kela_pre_interview.v1.toml")


def walk(items, path=()):
    """Every (linkId path, item) of a FHIR item tree; answer-nested items are not used here."""
    for item in items:
        yield (*path, item["linkId"]), item
        yield from walk(item.get("item", []), (*path, item["linkId"]))


def assert_r4b_invariants(resource):
    """The Questionnaire invariants fhir.resources leaves to a full validator (que-1, -2, -6, -7, -12)."""
    assert resource["status"] in ("draft", "active", "retired", "unknown")
    found = list(walk(resource["item"]))
    link_ids = [path[-1] for path, _ in found]
    assert len(link_ids) == len(set(link_ids)), "linkIds are unique"
    for path, item in found:
        if item["type"] == "group":
            assert item.get("item"), path
        if item["type"] == "display":
            assert not ({"item", "required", "repeats"} & set(item)), path
        if len(item.get("enableWhen", [])) > 1:
            assert item["enableBehavior"] in ("all", "any"), path
        for entry in item.get("enableWhen", []):
            assert entry["operator"] != "exists" or "answerBoolean" in entry, path


def questions(resource):
    return {
        path[-1]: item for path, item in walk(resource["item"]) if item["type"] not in ("group", "display")
    }


def sample_answer(item):
    match item.type:
        case "text" | "textarea":
            return "Vastaus"
        case "integer" | "scale":
            return item.max if item.max is not None else 2
        case "date":
            return "2026-10-01"
        case "single":
            return item.options[0].value
        case "multiple":
            return [option.value for option in item.options if not option.exclusive]
    return "yes"


def full_answers(questionnaire, chosen):
    """A valid answer to every item that is visible once the chosen answers are given."""
    answers = dict(chosen)
    while missing := [
        item
        for page in visible_pages(questionnaire, answers)
        for item in visible_items(page, prune_hidden(questionnaire, answers))
        if item.id not in answers
    ]:
        answers.update({item.id: sample_answer(item) for item in missing})
    return answers


@pytest.mark.parametrize("locale", ["fi", "sv"])
def test_the_shipped_questionnaire_is_a_valid_r4b_questionnaire(shipped, locale):
    resource = questionnaire_to_fhir(shipped, locale)
    model = FhirQuestionnaire.model_validate(resource)
    assert_r4b_invariants(resource)
    assert model.status == "active"
    assert model.version == "1"
    assert model.url.endswith("/Questionnaire/kela_pre_interview")
    assert model.identifier[0].value == "kela_pre_interview"
    assert model.language == locale
    assert model.title == shipped.title[locale]


@pytest.mark.parametrize(("locale", "other"), [("fi", "sv"), ("sv", "fi")])
def test_texts_are_in_the_requested_language_with_the_other_as_a_translation(shipped, locale, other):
    item = questions(questionnaire_to_fhir(shipped, locale))["work_ability"]
    assert item["text"] == shipped.item("work_ability").label[locale]
    (translation,) = item["_text"]["extension"]
    assert translation["url"] == TRANSLATION
    assert translation["extension"] == [
        {"url": "lang", "valueCode": other},
        {"url": "content", "valueString": shipped.item("work_ability").label[other]},
    ]


def test_sections_hold_pages_which_hold_the_items(shipped):
    resource = questionnaire_to_fhir(shipped, "fi")
    paths = {path[-1]: path for path, _ in walk(resource["item"])}
    for section in shipped.sections:
        for page in section.pages:
            for item in page.items:
                assert paths[item.id] == (section.id, page.id, item.id)


def test_item_types_limits_and_options_are_mapped(shipped):
    found = questions(questionnaire_to_fhir(shipped, "fi"))
    assert len(found) == len(shipped.items)
    expected = {
        "current_situation": "choice",
        "everyday_coping": "choice",
        "work_ability": "integer",
        "work_activity_days": "integer",
        "treatment_contact": "boolean",
        "treatment_where": "string",
        "health_description": "text",
        "b_statement_date": "date",
    }
    assert {link: found[link]["type"] for link in expected} == expected
    assert found["current_situation"]["repeats"] is True
    assert "repeats" not in found["everyday_coping"]
    assert found["current_situation"]["required"] is True
    assert found["treatment_where"]["maxLength"] == 300
    assert {"url": MIN_VALUE, "valueInteger": 0} in found["work_ability"]["extension"]
    assert {"url": MAX_VALUE, "valueInteger": 10} in found["work_ability"]["extension"]
    none = found["current_services"]["answerOption"][-1]
    assert none["valueCoding"] == {"code": "none", "display": "Ei mikään näistä"}
    assert none["extension"] == [{"url": OPTION_EXCLUSIVE, "valueBoolean": True}]
    ends = [
        child["text"] for child in found["work_ability"]["item"] if child["linkId"] != "work_ability.hint"
    ]
    assert ends == ["en pysty tekemään työtä lainkaan", "työkykyni on parhaimmillaan"]


def test_conditions_become_enable_when(shipped):
    resource = questionnaire_to_fhir(shipped, "fi")
    conditional = {page.id for page in shipped.pages if page.condition} | {
        item.id for item in shipped.items if item.condition
    }
    assert conditional
    for path, item in walk(resource["item"]):
        assert ("enableWhen" in item) == (path[-1] in conditional), path
        if len(item.get("enableWhen", [])) > 1:
            assert item["enableBehavior"] in ("all", "any"), path
    groups = {path[-1]: item for path, item in walk(resource["item"])}
    assert groups["treatment_place"]["enableWhen"] == [
        {"question": "treatment_contact", "operator": "=", "answerBoolean": True}
    ]
    assert groups["getting_treatment"]["enableBehavior"] == "all"
    assert groups["statement_details"]["enableBehavior"] == "any"
    assert [entry["answerCoding"]["code"] for entry in groups["statement_details"]["enableWhen"]] == [
        "written",
        "requested",
    ]
    assert groups["earlier_work"]["enableWhen"][0]["operator"] == "!="


def small_questionnaire(condition):
    first = Item("first", "integer", {"fi": "Luku", "sv": "Tal"}, min=0, max=9)
    choice = Item(
        "choice",
        "yesno",
        {"fi": "Kyllä?", "sv": "Ja?"},
    )
    later = Item("later", "text", {"fi": "Lisää", "sv": "Mer"}, max_length=200, condition=condition)
    title = {"fi": "Sivu", "sv": "Sida"}
    pages = (Page("p1", title, (first, choice)), Page("p2", title, (later,)))
    return Questionnaire("small", 1, title, title, (Section("s", title, pages),))


def test_every_operator_has_an_enable_when_form():
    condition = Condition(
        "all",
        parts=(
            Condition("gt", "first", 2),
            Condition("lt", "first", 8),
            Condition("answered", "choice"),
            Condition("not_equals", "choice", "no"),
        ),
    )
    resource = questionnaire_to_fhir(small_questionnaire(condition), "sv")
    FhirQuestionnaire.model_validate(resource)
    assert_r4b_invariants(resource)
    later = questions(resource)["later"]
    assert later["enableBehavior"] == "all"
    assert [
        (entry["operator"], entry.get("answerInteger", entry.get("answerBoolean")))
        for entry in later["enableWhen"]
    ] == [(">", 2), ("<", 8), ("exists", True), ("!=", False)]


def test_an_all_inside_an_any_is_widened_to_any_of_its_leaves():
    condition = Condition(
        "any",
        parts=(
            Condition("all", parts=(Condition("gt", "first", 2), Condition("equals", "choice", "yes"))),
            Condition("equals", "first", 0),
        ),
    )
    later = questions(questionnaire_to_fhir(small_questionnaire(condition), "fi"))["later"]
    assert later["enableBehavior"] == "any"
    assert [entry["operator"] for entry in later["enableWhen"]] == [">", "=", "="]


SCENARIOS = {
    "struggling without care": {
        "current_services": ["rehabilitative_work"],
        "health_affects_work": "a_lot",
        "treatment_contact": "no",
        "b_statement": "written",
        "work_experience": "over_five",
        "had_rehabilitation": "yes",
        "participation_barriers": ["travel", "finances"],
        "interpreter_needed": "yes",
    },
    "few conditions apply": {
        "current_services": ["none"],
        "health_affects_work": "no",
        "treatment_contact": "yes",
        "b_statement": "unknown",
        "work_experience": "none",
        "had_rehabilitation": "no",
        "participation_barriers": ["none"],
        "interpreter_needed": "no",
    },
}


@pytest.mark.parametrize("locale", ["fi", "sv"])
@pytest.mark.parametrize("chosen", list(SCENARIOS.values()), ids=list(SCENARIOS))
def test_a_full_response_is_a_valid_r4b_questionnaire_response(shipped, chosen, locale):
    answers = full_answers(shipped, chosen)
    resource = response_to_fhir(
        shipped, answers, authored=AUTHORED, subject_reference="Patient/example", locale=locale
    )
    model = FhirResponse.model_validate(resource)
    assert model.status == "completed"
    assert model.subject.reference == "Patient/example"
    assert resource["questionnaire"].endswith("/Questionnaire/kela_pre_interview|1")
    definition = {path for path, _ in walk(questionnaire_to_fhir(shipped, locale)["item"])}
    answered = {path for path, _ in walk(resource["item"])}
    assert answered <= definition, "a response item sits where the definition has it"
    effective = prune_hidden(shipped, answers)
    visible = {item.id for page in visible_pages(shipped, answers) for item in visible_items(page, effective)}
    assert {path[-1] for path in answered if len(path) == 3} == visible & set(answers)


def test_answer_values_have_the_definitions_types(shipped):
    answers = full_answers(shipped, SCENARIOS["struggling without care"])
    resource = response_to_fhir(shipped, answers, authored=AUTHORED, locale="fi")
    found = {path[-1]: item["answer"] for path, item in walk(resource["item"]) if "answer" in item}
    assert found["work_ability"] == [{"valueInteger": 10}]
    assert found["treatment_contact"] == [{"valueBoolean": False}]
    assert found["b_statement_date"] == [{"valueDate": "2026-10-01"}]
    assert found["jobs"] == [{"valueString": "Vastaus"}]
    assert found["everyday_coping"] == [{"valueCoding": {"code": "well", "display": "Pärjään hyvin"}}]
    assert [answer["valueCoding"]["code"] for answer in found["participation_barriers"]] == [
        "travel",
        "finances",
    ]
    assert "subject" not in resource


def test_hidden_and_empty_answers_are_left_out(shipped):
    answers = {"treatment_contact": "no", "treatment_where": "Terveysasema", "anything_else": " "}
    resource = response_to_fhir(shipped, answers, status="in-progress", authored=AUTHORED, locale="sv")
    FhirResponse.model_validate(resource)
    assert [path for path, _ in walk(resource["item"])] == [
        ("health",),
        ("health", "treatment"),
        ("health", "treatment", "treatment_contact"),
    ]


def test_an_empty_response_has_no_items(shipped):
    resource = response_to_fhir(shipped, {}, status="in-progress", authored=AUTHORED, locale="fi")
    FhirResponse.model_validate(resource)
    assert "item" not in resource


def test_a_naive_time_or_an_impossible_answer_is_refused(shipped):
    with pytest.raises(ValueError, match="timezone"):
        response_to_fhir(shipped, {}, authored=datetime(2026, 1, 1), locale="fi")  # noqa: DTZ001
    with pytest.raises(ValueError, match="not an option"):
        response_to_fhir(shipped, {"everyday_coping": "fine"}, authored=AUTHORED, locale="fi")
    with pytest.raises(ValueError, match="not a scale answer"):
        response_to_fhir(shipped, {"work_ability": "7"}, authored=AUTHORED, locale="fi")
