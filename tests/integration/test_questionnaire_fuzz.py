"""Random text, Unicode and oversized values posted to every page: never a server error or raw markup."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.content.questionnaires import latest
from tests.conftest import csrf_token_from, login_as
from tests.integration.questionnaire_helpers import (
    ALL_PAGES,
    NO_TREATMENT,
    assign,
    put_answers,
    stored,
    submitted,
)

QUESTIONNAIRE = latest("kela_pre_interview")
VERSION = re.compile(r'name="answers_version" type="hidden" value="(\d+)"')
FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

unicode_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
oversized = st.builds(lambda n, letter: letter * n, st.integers(150, 4100), st.sampled_from("aäÅ€😀"))
markup = st.builds(
    lambda text, tag: f"{text}<{tag}>x{tag}</{tag}>",
    unicode_text,
    st.from_regex(r"[a-z]{3,8}", fullmatch=True),
)
values = st.one_of(
    unicode_text, oversized, markup, st.sampled_from(["", " ", "0", "-1", "11", "yes", "none", "31"])
)


def fields_of(page_id: str, answers: dict) -> list[str]:
    """Every name the page's form posts, including the three parts of a date."""
    from portal.content.questionnaires import prune_hidden, visible_items

    page = QUESTIONNAIRE.page(page_id)
    names = []
    for item in visible_items(page, prune_hidden(QUESTIONNAIRE, answers)):
        names.extend(
            [f"{item.id}-day", f"{item.id}-month", f"{item.id}-year"] if item.type == "date" else [item.id]
        )
    return names


def base_answers(page_id: str) -> dict:
    return NO_TREATMENT if page_id == "getting_treatment" else ALL_PAGES


@pytest.mark.parametrize("page_id", [page.id for page in QUESTIONNAIRE.pages])
def test_random_input_on_every_page_never_breaks_the_server_or_echoes_markup(app, db, demo, client, page_id):
    response = assign(app, db, demo["client_fi"], demo["adviser"])
    login_as(app, client, demo["client_fi"])
    answers = base_answers(page_id)
    names = fields_of(page_id, answers)
    url = f"/questionnaires/{response.id}/pages/{page_id}"

    @FUZZ
    @given(
        posted=st.fixed_dictionaries(
            {name: st.one_of(values, st.lists(values, max_size=4)) for name in names}
        ),
        action=st.sampled_from(["continue", "back", "save_later", "", "<x>"]),
    )
    def post_random(posted, action):
        put_answers(app, db, response, answers)
        page = client.get(url)
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        data = {"csrf_token": csrf_token_from(html), "answers_version": VERSION.search(html)[1], **posted}
        if action:
            data["action"] = action
        reply = client.post(url, data=data)
        body = reply.get_data(as_text=True)
        pairs = [(name, v) for name, vs in data.items() for v in (vs if isinstance(vs, list) else [vs])]
        if len(urlencode(pairs, safe="!$'()*,/:;?@")) > app.config["MAX_CONTENT_LENGTH"]:  # as sent
            # Several values of thousands of emoji: past the size any page takes, told so plainly.
            assert reply.status_code == 413
            assert "Lähettämäsi tieto on liian suuri" in body
            return
        assert reply.status_code in (302, 400, 422), reply.status_code
        for value in (v for vs in posted.values() for v in (vs if isinstance(vs, list) else [vs])):
            for tag in re.findall(r"<([a-z]{3,8})>x", value):
                assert f"<{tag}>x{tag}</{tag}>" not in body

    post_random()


@pytest.mark.parametrize("locale", ["fi", "sv"])
def test_finnish_and_swedish_letters_round_trip(app, db, demo, client, locale):
    response = assign(app, db, demo["client_fi"], demo["adviser"])
    put_answers(app, db, response, ALL_PAGES)
    login_as(app, client, demo["client_fi"])
    client.set_cookie("polku_lang", locale)
    typed = "Åsa Öström ja Äänekoski: ÅÄÖ åäö, šž € – ”lainaus”\nToinen rivi"
    url = f"/questionnaires/{response.id}/pages/final_words"
    html = client.get(url).get_data(as_text=True)
    reply = client.post(
        url,
        data={
            "csrf_token": csrf_token_from(html),
            "answers_version": VERSION.search(html)[1],
            "anything_else": typed,
        },
    )
    assert reply.status_code == 302
    assert stored(app, db, response).answers["anything_else"] == typed
    assert f">{typed}</textarea>" in client.get(url).get_data(as_text=True)


def test_random_notes_never_break_the_review_page(app, db, demo, client):
    response = submitted(app, db, demo["client_fi"], demo["adviser"], ALL_PAGES)
    login_as(app, client, demo["adviser"])
    url = f"/staff/questionnaires/{response.id}"

    @FUZZ
    @given(note=values)
    def post_random(note):
        html = client.get(url).get_data(as_text=True)
        reply = client.post(f"{url}/notes", data={"csrf_token": csrf_token_from(html), "text": note})
        assert reply.status_code in (302, 422)
        shown = (
            client.get(url).get_data(as_text=True)
            if reply.status_code == 302
            else reply.get_data(as_text=True)
        )
        for tag in re.findall(r"<([a-z]{3,8})>x", note):
            assert f"<{tag}>x{tag}</{tag}>" not in shown

    post_random()


def test_random_input_to_the_assign_form_never_breaks_it(app, db, demo, client):
    submitted(app, db, demo["client_fi"], demo["adviser"], ALL_PAGES)
    login_as(app, client, demo["adviser"])
    url = f"/staff/questionnaires/assign/{demo['client_fi'].id}"

    @FUZZ
    @given(day=values, month=values, year=values, time=values, questionnaire=values)
    def post_random(day, month, year, time, questionnaire):
        html = client.get(url).get_data(as_text=True)
        reply = client.post(
            url,
            data={
                "csrf_token": csrf_token_from(html),
                "questionnaire": questionnaire,
                "interview_date-day": day,
                "interview_date-month": month,
                "interview_date-year": year,
                "interview_time": time,
            },
        )
        assert reply.status_code in (302, 422)
        body = reply.get_data(as_text=True)
        for value in (day, month, year, time, questionnaire):
            for tag in re.findall(r"<([a-z]{3,8})>x", value):
                assert f"<{tag}>x{tag}</{tag}>" not in body

    post_random()


@pytest.mark.parametrize("version", ["²", "١", "-1", ""])
def test_a_tampered_answers_version_is_told_as_changed_elsewhere_and_saves_nothing(
    app, db, demo, client, version
):
    response = assign(app, db, demo["client_fi"], demo["adviser"])
    put_answers(app, db, response, ALL_PAGES)
    login_as(app, client, demo["client_fi"])
    url = f"/questionnaires/{response.id}/pages/final_words"
    html = client.get(url).get_data(as_text=True)
    before = stored(app, db, response).answers
    reply = client.post(
        url,
        data={"csrf_token": csrf_token_from(html), "answers_version": version, "anything_else": "Uusi"},
    )
    assert reply.status_code == 409
    assert stored(app, db, response).answers == before
