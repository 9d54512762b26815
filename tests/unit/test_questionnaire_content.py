"""Questionnaire definitions: the shipped one is complete, broken files are refused, answers are judged."""

import dataclasses

import pytest

from portal.content import ContentError
from portal.content.questionnaires import (
    ITEM_TYPES,
    QUESTIONNAIRES_DIR,
    Condition,
    check_questionnaires,
    evaluate,
    flagged_answers,
    latest,
    load_all,
    load_questionnaire,
    next_page,
    page_index,
    previous_page,
    prune_hidden,
    visible_items,
    visible_pages,
)
from portal.i18n import LOCALES

SHIPPED = QUESTIONNAIRES_DIR / "kela_pre_interview.v4.toml"

VALID = """
key = "demo"
version = 1
title.fi = "Kysely"
title.sv = "Enkät"
intro.fi = "Johdanto"
intro.sv = "Inledning"

[[section]]
id = "start"
title.fi = "Alku"
title.sv = "Början"

[[section.page]]
id = "first"
title.fi = "Ensimmäinen"
title.sv = "Första"

[[section.page.item]]
id = "feeling"
type = "single"
required = true
label.fi = "Miten voit?"
label.sv = "Hur mår du?"
hint.fi = "Valitse yksi."
hint.sv = "Välj ett."

[[section.page.item.option]]
value = "good"
label.fi = "Hyvin"
label.sv = "Bra"

[[section.page.item.option]]
value = "bad"
flag = true
label.fi = "Huonosti"
label.sv = "Dåligt"

[[section.page.item]]
id = "rating"
type = "scale"
min = 0
max = 10
flag_below = 4
label.fi = "Arvio"
label.sv = "Bedömning"
min_label.fi = "huono"
min_label.sv = "dålig"
max_label.fi = "hyvä"
max_label.sv = "bra"

[[section.page]]
id = "second"
title.fi = "Toinen"
title.sv = "Andra"
condition = { item = "feeling", op = "equals", value = "bad" }

[[section.page.item]]
id = "details"
type = "textarea"
label.fi = "Kerro lisää"
label.sv = "Berätta mer"
"""

# What a content editor may get wrong, and the words the refusal must contain.
BROKEN = {
    "missing sv label": ('label.sv = "Hur mår du?"\n', "", "item 'feeling': label has no sv text"),
    "missing sv hint": ('hint.sv = "Välj ett."\n', "", "item 'feeling': hint has no sv text"),
    "empty fi label": ('label.fi = "Kerro lisää"', 'label.fi = " "', "item 'details': label has no fi text"),
    "missing sv option label": ('label.sv = "Dåligt"\n', "", "option 'bad': label has no sv text"),
    "missing sv scale label": ('min_label.sv = "dålig"\n', "", "item 'rating': min_label has no sv text"),
    "missing fi page title": ('title.fi = "Toinen"\n', "", "page 'second': title has no fi text"),
    "missing sv section title": ('title.sv = "Början"\n', "", "section 'start': title has no sv text"),
    "missing sv intro": ('intro.sv = "Inledning"\n', "", "questionnaire: intro has no sv text"),
    "missing questionnaire title": ('title.fi = "Kysely"\ntitle.sv = "Enkät"\n', "", "title is missing"),
    "duplicate item id": ('id = "details"', 'id = "feeling"', "item 'feeling': duplicate id"),
    "item id reused by a page": ('id = "second"', 'id = "rating"', "page 'rating': duplicate id"),
    "section id used by a page": ('id = "first"', 'id = "start"', "page 'start': duplicate id"),
    "duplicate option value": (
        'value = "bad"\nflag',
        'value = "good"\nflag',
        "duplicate option value 'good'",
    ),
    "condition on unknown item": ('item = "feeling", op', 'item = "mood", op', "unknown item 'mood'"),
    "unknown operator": ('op = "equals"', 'op = "is"', "unknown condition operator 'is'"),
    "value not an option": ('value = "bad" }', 'value = "awful" }', "'awful' is not a possible answer"),
    "answered with a value": ('op = "equals"', 'op = "answered"', "answered takes no value"),
    "gt on a choice": ('op = "equals"', 'op = "gt"', "gt cannot compare the single item 'feeling'"),
    "empty any_of": ('op = "equals", value = "bad"', 'op = "any_of", value = []', "non-empty list"),
    "min above max": (
        "min = 0\nmax = 10",
        "min = 10\nmax = 0",
        "item 'rating': min 10 is greater than max 0",
    ),
    "scale without max": ("max = 10\n", "", "item 'rating': a scale needs min and max"),
    "unknown type": ('type = "textarea"', 'type = "essay"', "item 'details': unknown type 'essay'"),
    "misspelt key": ("required = true", "requried = true", "item 'feeling': unknown key 'requried'"),
    "zero max_length": (
        'type = "textarea"',
        'type = "textarea"\nmax_length = 0',
        "max_length must be at least 1",
    ),
    "past on a wrong type": (
        'type = "textarea"',
        'type = "textarea"\npast = true',
        "a textarea item takes no past",
    ),
    "limit on a wrong type": ('type = "textarea"', 'type = "date"\nmax_length = 5', "a date item takes no"),
    "bad id": ('id = "details"', 'id = "Details"', "id must be lowercase"),
    "version inside differs": ("version = 1", "version = 2", "file name: must be <key>.v<version>.toml"),
    "no sections": ("[[section]]", "[[chapter]]", "unknown key 'chapter'"),
}


def write(tmp_path, text, name="demo.v1.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def refusal(tmp_path, text, name="demo.v1.toml"):
    path = write(tmp_path, text, name)
    with pytest.raises(ContentError) as error:
        load_questionnaire(path)
    message = str(error.value)
    assert message.startswith(f"{name}: ")
    assert check_questionnaires(tmp_path) == message.split("; ")
    return message


def with_page(item_toml, condition=""):
    return (
        VALID
        + f"""
[[section.page]]
id = "third"
title.fi = "Kolmas"
title.sv = "Tredje"
{condition}

[[section.page.item]]
label.fi = "Lisäkysymys"
label.sv = "Extra fråga"
{item_toml}
"""
    )


OPTION = '\n[[section.page.item.option]]\nvalue = "a"\nlabel.fi = "A"\nlabel.sv = "A"\n'


def test_the_valid_example_loads(tmp_path):
    questionnaire = load_questionnaire(write(tmp_path, VALID))
    assert [page.id for page in questionnaire.pages] == ["first", "second"]
    assert [item.id for item in questionnaire.items] == ["feeling", "rating", "details"]
    assert questionnaire.item("details").max_length == 2000
    assert questionnaire.page_of("details").id == "second"
    assert questionnaire.section_of("second").id == "start"
    assert check_questionnaires(tmp_path) == []


@pytest.mark.parametrize(("old", "new", "expected"), list(BROKEN.values()), ids=list(BROKEN))
def test_a_broken_definition_is_refused_with_the_file_and_the_problem(tmp_path, old, new, expected):
    assert VALID.count(old) == 1, "the fixture must change exactly one place"
    assert expected in refusal(tmp_path, VALID.replace(old, new))


@pytest.mark.parametrize("kind", ["text", "textarea", "integer", "date", "scale", "yesno"])
def test_an_option_list_on_a_type_that_takes_none_is_refused(tmp_path, kind):
    extra = 'min = 0\nmax = 4\nmin_label = { fi = "a", sv = "a" }\nmax_label = { fi = "b", sv = "b" }\n'
    item = f'id = "extra"\ntype = "{kind}"\n' + (extra if kind == "scale" else "") + OPTION
    assert f"item 'extra': a {kind} item takes no option" in refusal(tmp_path, with_page(item))


@pytest.mark.parametrize("kind", ["single", "multiple"])
def test_a_choice_without_options_is_refused(tmp_path, kind):
    message = refusal(tmp_path, with_page(f'id = "extra"\ntype = "{kind}"\n'))
    assert "item 'extra': needs at least one option" in message


def test_more_than_one_exclusive_option_is_refused(tmp_path):
    none = (
        '\n[[section.page.item.option]]\nvalue = "{0}"\nexclusive = true\nlabel = {{ fi = "x", sv = "x" }}\n'
    )
    item = 'id = "extra"\ntype = "multiple"\n' + OPTION + none.format("none") + none.format("nothing")
    assert "item 'extra': more than one exclusive option" in refusal(tmp_path, with_page(item))


def test_an_exclusive_option_on_a_single_choice_is_refused(tmp_path):
    broken = VALID.replace('value = "bad"\n', 'value = "bad"\nexclusive = true\n')
    assert "only a multiple item can have an exclusive option" in refusal(tmp_path, broken)


def test_a_condition_on_a_later_item_is_refused(tmp_path):
    broken = VALID.replace("required = true\n", 'condition = { item = "details", op = "answered" }\n')
    assert "item 'feeling': condition refers to 'details', which is not on an earlier page" in refusal(
        tmp_path, broken
    )


def test_a_condition_on_an_item_of_the_same_page_is_refused(tmp_path):
    # Without JavaScript a page cannot react to what is typed on it.
    broken = VALID.replace(
        "flag_below = 4\n", 'flag_below = 4\ncondition = { item = "feeling", op = "answered" }\n'
    )
    assert "item 'rating': condition refers to 'feeling', which is not on an earlier page" in refusal(
        tmp_path, broken
    )


def test_a_page_condition_on_its_own_item_is_refused(tmp_path):
    broken = with_page('id = "extra"\ntype = "text"\n', 'condition = { item = "extra", op = "answered" }')
    assert "page 'third': condition refers to 'extra', which is not on an earlier page" in refusal(
        tmp_path, broken
    )


def test_a_nested_condition_is_checked_leaf_by_leaf(tmp_path):
    nested = (
        'condition = { any = [{ item = "rating", op = "gt", value = 3 }, '
        '{ all = [{ item = "feeling", op = "answered" }, { item = "ghost", op = "answered" }] }] }'
    )
    assert "page 'third': condition refers to unknown item 'ghost'" in refusal(
        tmp_path, with_page('id = "extra"\ntype = "text"\n', nested)
    )


@pytest.mark.parametrize("name", ["other.v1.toml", "demo.v2.toml", "demo.toml", "demo.v01.toml"])
def test_a_file_name_that_does_not_match_key_and_version_is_refused(tmp_path, name):
    assert "file name: must be <key>.v<version>.toml" in refusal(tmp_path, VALID, name)


def test_invalid_toml_is_reported_not_raised_by_the_check(tmp_path):
    write(tmp_path, VALID + "\nthis is not toml")
    assert check_questionnaires(tmp_path)[0].startswith("demo.v1.toml: cannot be read")


def test_several_problems_are_reported_together(tmp_path):
    broken = VALID.replace('label.sv = "Hur mår du?"\n', "").replace('type = "textarea"', 'type = "essay"')
    assert len(refusal(tmp_path, broken).split("; ")) == 2


# --- the shipped questionnaire -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped():
    return load_questionnaire(SHIPPED)


def all_texts(questionnaire):
    yield "title", questionnaire.title
    yield "intro", questionnaire.intro
    for section in questionnaire.sections:
        yield section.id, section.title
        for page in section.pages:
            yield page.id, page.title
            for item in page.items:
                for name in ("label", "hint", "min_label", "max_label"):
                    if getattr(item, name) is not None:
                        yield f"{item.id}.{name}", getattr(item, name)
                for option in item.options:
                    yield f"{item.id}.{option.value}", option.label


def test_the_shipped_questionnaire_passes_the_content_check():
    assert check_questionnaires() == []


def test_the_shipped_questionnaire_has_30_to_40_items_on_short_pages(shipped):
    assert 30 <= len(shipped.items) <= 40
    assert all(1 <= len(page.items) <= 5 for page in shipped.pages)
    assert {item.type for item in shipped.items} == set(ITEM_TYPES)


def test_every_shipped_text_is_in_finnish_and_swedish(shipped):
    for where, text in all_texts(shipped):
        assert set(text) == set(LOCALES), where
        assert all(text[locale].strip() for locale in LOCALES), where
        assert text["fi"] != text["sv"], f"{where} is not translated"


def test_the_shipped_questionnaire_flags_what_the_adviser_must_see_first(shipped):
    assert shipped.item("work_ability").flag_below == 4
    assert shipped.item("interpreter_needed").flag_answer == "yes"
    assert shipped.item("everyday_coping").option("not_coping").flag
    assert shipped.item("participation_barriers").option("finances").flag
    assert shipped.item("treatment_help").option("yes").flag
    assert shipped.item("current_services").option("none").exclusive


def test_the_shipped_questionnaire_is_the_latest_version(shipped):
    assert latest("kela_pre_interview") == shipped
    assert load_all()[("kela_pre_interview", 4)] == shipped
    # Versions 1 to 3 stay for the answers given on them: version 2 changed only texts, version 3
    # only that the B statement's date has happened, version 4 only Finnish texts.
    first, second, third = (load_all()[("kela_pre_interview", version)] for version in (1, 2, 3))
    assert [item.id for item in first.items] == [item.id for item in shipped.items]
    assert [item for item in second.items if item.id != "b_statement_date"] == [
        item for item in third.items if item.id != "b_statement_date"
    ]
    assert (second.item("b_statement_date").past, third.item("b_statement_date").past) == (False, True)
    assert _without_finnish(third.items) == _without_finnish(shipped.items)
    assert third.item("everyday_coping").option("not_coping").label["fi"] == (
        "En pärjää arjessa, ja tarvitsen apua pian"
    )
    assert shipped.item("everyday_coping").option("not_coping").label["fi"] == (
        "En pärjää arjessa ja tarvitsen apua pian"
    )
    with pytest.raises(KeyError):
        latest("no_such_questionnaire")


def test_details_appear_only_when_a_condition_applies(shipped):
    assert shipped.page("treatment_place") not in visible_pages(shipped, {"treatment_contact": "no"})
    assert shipped.page("treatment_place") in visible_pages(shipped, {"treatment_contact": "yes"})
    heavy_without_care = {"health_affects_work": "a_lot", "treatment_contact": "no"}
    assert shipped.page("getting_treatment") in visible_pages(shipped, heavy_without_care)
    requested = shipped.page("statement_details")
    assert [item.id for item in visible_items(requested, {"b_statement": "requested"})] == ["b_statement_by"]


# --- answer logic --------------------------------------------------------------------------------------

ANSWERS = {"choice": "b", "many": ["x", "y"], "number": 5, "day": "2026-03-01", "free": "  ", "zero": 0}


def leaf(item, op, value=None):
    return Condition(op, item, tuple(value) if isinstance(value, list) else value)


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (leaf("choice", "equals", "b"), True),
        (leaf("choice", "equals", "a"), False),
        (leaf("many", "equals", "y"), True),
        (leaf("many", "equals", "z"), False),
        (leaf("choice", "not_equals", "a"), True),
        (leaf("choice", "not_equals", "b"), False),
        (leaf("many", "not_equals", "x"), False),
        (leaf("missing", "not_equals", "a"), False),
        (leaf("choice", "any_of", ["a", "b"]), True),
        (leaf("choice", "any_of", ["a", "c"]), False),
        (leaf("many", "any_of", ["z", "x"]), True),
        (leaf("number", "gt", 4), True),
        (leaf("number", "gt", 5), False),
        (leaf("number", "lt", 6), True),
        (leaf("number", "lt", 5), False),
        (leaf("day", "gt", "2026-02-28"), True),
        (leaf("day", "lt", "2026-02-28"), False),
        (leaf("number", "gt", "4"), False),
        (leaf("missing", "lt", 10), False),
        (leaf("choice", "answered"), True),
        (leaf("zero", "answered"), True),
        (leaf("free", "answered"), False),
        (leaf("missing", "answered"), False),
        (Condition("all", parts=(leaf("choice", "equals", "b"), leaf("number", "gt", 1))), True),
        (Condition("all", parts=(leaf("choice", "equals", "b"), leaf("number", "gt", 9))), False),
        (Condition("any", parts=(leaf("choice", "equals", "a"), leaf("number", "gt", 1))), True),
        (Condition("any", parts=(leaf("choice", "equals", "a"), leaf("number", "gt", 9))), False),
        (
            Condition(
                "any",
                parts=(
                    leaf("missing", "answered"),
                    Condition("all", parts=(leaf("many", "equals", "x"), leaf("day", "lt", "2027-01-01"))),
                ),
            ),
            True,
        ),
        (
            Condition(
                "all",
                parts=(
                    leaf("choice", "answered"),
                    Condition("any", parts=(leaf("many", "equals", "z"), leaf("number", "lt", 0))),
                ),
            ),
            False,
        ),
        (None, True),
    ],
)
def test_evaluate(condition, expected):
    assert evaluate(condition, ANSWERS) is expected


CHAIN = """
key = "chain"
version = 1
title = { fi = "Ketju", sv = "Kedja" }
intro = { fi = "Ketju", sv = "Kedja" }

[[section]]
id = "only"
title = { fi = "Osio", sv = "Avsnitt" }

[[section.page]]
id = "p_a"
title = { fi = "A", sv = "A" }
[[section.page.item]]
id = "a"
type = "yesno"
label = { fi = "A?", sv = "A?" }

[[section.page]]
id = "p_b"
title = { fi = "B", sv = "B" }
condition = { item = "a", op = "equals", value = "yes" }
[[section.page.item]]
id = "b"
type = "yesno"
flag_answer = "yes"
label = { fi = "B?", sv = "B?" }

[[section.page]]
id = "p_c"
title = { fi = "C", sv = "C" }
[[section.page.item]]
id = "c"
type = "text"
label = { fi = "C?", sv = "C?" }
condition = { item = "b", op = "equals", value = "yes" }
[[section.page.item]]
id = "d"
type = "integer"
flag_above = 10
label = { fi = "D?", sv = "D?" }
"""


@pytest.fixture
def chain(tmp_path):
    return load_questionnaire(write(tmp_path, CHAIN, "chain.v1.toml"))


def test_prune_hidden_drops_an_answer_whose_condition_became_false(chain):
    answers = {"a": "yes", "b": "yes", "c": "details", "d": 3}
    assert prune_hidden(chain, answers) == answers
    # Changing a hides b, and b's answer no longer counts, so c goes too.
    assert prune_hidden(chain, {**answers, "a": "no"}) == {"a": "no", "d": 3}


def test_prune_hidden_drops_answers_to_unknown_items(chain):
    assert prune_hidden(chain, {"a": "no", "zz": "x"}) == {"a": "no"}


def test_visible_pages_ignore_stale_answers(chain):
    stale = {"a": "no", "b": "yes", "c": "details"}
    assert [page.id for page in visible_pages(chain, stale)] == ["p_a", "p_c"]
    assert [item.id for item in visible_items(chain.page("p_c"), prune_hidden(chain, stale))] == ["d"]


def test_navigation_skips_hidden_pages(chain):
    assert page_index(chain) == {"p_a": 0, "p_b": 1, "p_c": 2}
    assert next_page(chain, {}).id == "p_a"
    assert next_page(chain, {"a": "no"}, after="p_a").id == "p_c"
    assert next_page(chain, {"a": "yes"}, after="p_a").id == "p_b"
    assert next_page(chain, {"a": "no"}, after="p_c") is None
    assert previous_page(chain, {"a": "no"}, before="p_c").id == "p_a"
    assert previous_page(chain, {}, before="p_a") is None


def test_flagged_answers_come_in_questionnaire_order(chain, tmp_path):
    flagged = flagged_answers(chain, {"d": 11, "b": "yes", "a": "yes"})
    assert [(item.id, option) for item, option in flagged] == [("b", None), ("d", None)]
    assert flagged_answers(chain, {"a": "no", "b": "yes", "d": 10}) == [], "hidden or under the limit"

    demo = load_questionnaire(write(tmp_path, VALID))
    flagged = flagged_answers(demo, {"rating": 3, "feeling": "bad", "details": "x"})
    assert [(item.id, option and option.value) for item, option in flagged] == [
        ("feeling", "bad"),
        ("rating", None),
    ]


def test_flagged_answers_of_the_shipped_questionnaire(shipped):
    answers = {
        "interpreter_needed": "yes",
        "participation_barriers": ["housing", "finances"],
        "work_ability": 3,
        "everyday_coping": "not_coping",
        "health_affects_work": "a_lot",
        "treatment_contact": "yes",
        "treatment_help": "yes",  # hidden: there is a treatment contact
    }
    flagged = [(item.id, option and option.value) for item, option in flagged_answers(shipped, answers)]
    assert flagged == [
        ("everyday_coping", "not_coping"),
        ("work_ability", None),
        ("participation_barriers", "finances"),
        ("participation_barriers", "housing"),
        ("interpreter_needed", None),
    ]
    assert flagged_answers(shipped, {**answers, "work_ability": 4, "interpreter_needed": "no"})[1][0].id == (
        "participation_barriers"
    )


def _random_answers(questionnaire, rng):
    """Answers to a random part of the questionnaire, as a client might leave them (some stale)."""
    answers = {}
    for page in questionnaire.pages:
        for item in page.items:
            if rng.random() < 0.3:
                continue
            if item.options:
                values = [option.value for option in item.options]
                answer = (
                    rng.sample(values, rng.randint(1, len(values)))
                    if item.type == "multiple"
                    else rng.choice(values)
                )
            elif item.type == "yesno":
                answer = rng.choice(["yes", "no"])
            elif item.type in ("integer", "scale"):
                answer = rng.randint(
                    item.min if item.min is not None else 0, item.max if item.max is not None else 20
                )
            elif item.type == "date":
                answer = f"2026-{rng.randint(1, 12):02d}-15"
            else:
                answer = "vastaus"
            answers[item.id] = answer
    return answers


# Pages that only a stale answer would show: p_c's one item and p_d itself depend on b, which
# shows only while a is "yes".
DEEP_CHAIN = (
    CHAIN.split('[[section.page.item]]\nid = "d"')[0]
    + """
[[section.page]]
id = "p_d"
title = { fi = "D", sv = "D" }
condition = { item = "b", op = "equals", value = "yes" }
[[section.page.item]]
id = "e"
type = "yesno"
label = { fi = "E?", sv = "E?" }
"""
)


@pytest.mark.parametrize("seed", range(4))
def test_the_one_pass_over_pages_shows_what_settling_the_answers_first_shows(shipped, chain, tmp_path, seed):
    """visible_pages decides each page in prune_hidden's pass when conditions look back only; the
    pages must be those the answers settled first would show."""
    import random

    from portal.content.questionnaires import _visible_pages_of

    (tmp_path / "deep").mkdir()
    deep = load_questionnaire(write(tmp_path / "deep", DEEP_CHAIN, "chain.v1.toml"))
    stale = {"a": "no", "b": "yes"}
    assert [page.id for page in visible_pages(deep, stale)] == ["p_a"]
    assert [page.id for page in visible_pages(deep, {"a": "yes", "b": "yes"})] == ["p_a", "p_b", "p_c", "p_d"]
    rng = random.Random(seed)
    for questionnaire in (shipped, chain, deep):
        assert questionnaire.conditions_look_back
        for _ in range(150):
            answers = _random_answers(questionnaire, rng)
            settled = _visible_pages_of(questionnaire, prune_hidden(questionnaire, answers))
            assert visible_pages(questionnaire, answers) == settled


def test_a_date_item_may_be_marked_past(tmp_path):
    text = VALID.replace('type = "textarea"', 'type = "date"\npast = true')
    item = load_questionnaire(write(tmp_path, text)).item("details")
    assert (item.type, item.past) == ("date", True)


def _without_finnish(value):
    """A questionnaire's items as plain data with every Finnish text left out."""
    if dataclasses.is_dataclass(value):
        return _without_finnish(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {key: _without_finnish(inner) for key, inner in value.items() if key != "fi"}
    if isinstance(value, list | tuple):
        return [_without_finnish(inner) for inner in value]
    return value
