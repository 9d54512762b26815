"""The pre-interview questionnaire end to end on a 360 px phone, in Finnish and in Swedish.

The client answers in two sittings (stopping after page 3 and signing out), checks the answers,
changes one from the summary and sends them; the adviser finds them in the queue with the flagged
answers first, writes a note and marks them reviewed. axe runs on every page visited.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page

from portal.services.questionnaire import demo_questionnaires
from tests.e2e.conftest import DESKTOP, PHONE, check_page, new_context, sign_in_as

CASES = {
    "fi": {
        "client": "Maija Meikäläinen",
        "nav": "Kyselyt",
        "error": "Valitse vähintään yksi vaihtoehto.",
        "saved": "Vastauksesi on tallennettu",
        "check": "Tarkista vastauksesi",
        "video": "Videoyhteydellä",
        "sent": "Vastauksesi on lähetetty",
        "queue": "Tarkistettavat vastaukset",
        "flagged": "Huomiota vaativat vastaukset",
        "first_section": "Nykyinen tilanteesi",
        "scale": "3 asteikolla 0–10",
        "help": "Kyllä, haluaisin apua",
        "note": "Kysy haastattelussa hoitoon pääsystä ja bussilipusta.",
        "reviewed": "Tarkistanut Riikka Rantanen",
    },
    "sv": {
        "client": "Anna-Lena Björkqvist",
        "nav": "Frågeformulär",
        "error": "Välj minst ett alternativ.",
        "saved": "Dina svar är sparade",
        "check": "Granska dina svar",
        "video": "Via videolänk",
        "sent": "Dina svar har skickats",
        "queue": "Svar att granska",
        "flagged": "Svar som kräver din uppmärksamhet",
        "first_section": "Din nuvarande situation",
        "scale": "3 på skalan 0–10",
        "help": "Ja, jag vill ha hjälp",
        "note": "Fråga om vården och busskortet vid intervjun.",
        "reviewed": "Granskad av Riikka Rantanen",
    },
}
# The first sitting: pages 1-3.
FIRST_SITTING = {
    "now": {"current_situation": ["unemployed"]},
    "services": {"current_services": ["employment_services"]},
    "coping": {"everyday_coping": "mostly"},
}
# The second sitting, page by page; pages the answers do not call for never come.
SECOND_SITTING = {
    "work_ability_rating": {"work_ability": "3"},
    "health_and_work": {"health_affects_work": "a_lot"},
    "health_details": {"health_description": "Väsymys ja selkäkipu / Trötthet och ryggvärk."},
    "treatment": {"treatment_contact": "no"},
    "getting_treatment": {"treatment_help": "yes"},
    "doctors_statement": {"b_statement": "requested"},
    "statement_details": {"b_statement_by": "Terveysasema / Hälsostationen"},
    "education": {"education_level": "vocational"},
    "work_history": {"work_experience": "one_to_five"},
    "earlier_work": {"jobs": "Varasto 2018–2021 / Lager 2018–2021"},
    "your_strengths": {},
    "your_goals": {"goals": ["part_time"]},
    "rehabilitation_options": {"rehabilitation_interest": ["work_tryout"]},
    "earlier_rehabilitation": {"had_rehabilitation": "no"},
    "practical_matters": {"participation_barriers": ["finances"]},
    "practical_details": {"barrier_details": "Bussilippu / Busskortet"},
    "language_and_interpreting": {"interview_language": "fi", "interpreter_needed": "no"},
    "accessibility": {"accessibility_needs": ["none"]},
    "interview_format": {"interview_modality": "phone"},
    "final_words": {},
}
PAGE_URL = re.compile(r"/questionnaires/(\d+)/pages/([a-z_]+)")


def answer(page: Page, answers: dict) -> None:
    """Fill a page as a person would: tick the boxes, choose the option, type the text."""
    for name, value in answers.items():
        if isinstance(value, list):
            for one in value:
                page.locator(f"input[name='{name}'][value='{one}']").check()
        elif page.locator(f"input[type=radio][name='{name}']").count():
            page.locator(f"input[name='{name}'][value='{value}']").check()
        else:
            page.locator(f"#{name}").fill(value)


def press(page: Page, action: str) -> None:
    with page.expect_navigation():
        page.locator(f"button[name=action][value={action}]").click()


def current_page_id(page: Page) -> str | None:
    match = PAGE_URL.search(page.url)
    return match[2] if match else None


def first_sitting(page: Page, base: str, case: dict, locale: str) -> None:
    sign_in_as(page, base, case["client"], check=True)
    check_page(page, f"qn-{locale}-home")
    with page.expect_navigation():
        page.locator("main a.button").first.click()  # the front page's "Start answering"
    check_page(page, f"qn-{locale}-start")
    with page.expect_navigation():
        page.locator("main a.button--start").click()
    assert current_page_id(page) == "now"
    press(page, "continue")  # nothing ticked: the error is explained
    assert page.title().startswith("Virhe: " if locale == "fi" else "Fel: ")
    assert case["error"] in page.locator(".error-summary").inner_text()
    check_page(page, f"qn-{locale}-page-now-error")
    for page_id, answers in FIRST_SITTING.items():
        assert current_page_id(page) == page_id
        answer(page, answers)
        check_page(page, f"qn-{locale}-page-{page_id}")
        press(page, "continue")
    assert current_page_id(page) == "work_ability_rating"
    press(page, "save_later")
    assert case["saved"] in page.locator("h1").inner_text()
    check_page(page, f"qn-{locale}-saved")
    with page.expect_navigation():
        page.locator("form[action='/sign-out'] button").click()
    check_page(page, f"qn-{locale}-signed-out")


def second_sitting(page: Page, base: str, case: dict, locale: str) -> None:
    sign_in_as(page, base, case["client"])
    with page.expect_navigation():
        page.get_by_role("link", name=case["nav"], exact=True).click()
    check_page(page, f"qn-{locale}-list")
    with page.expect_navigation():
        page.locator("main a.button").first.click()
    check_page(page, f"qn-{locale}-continue")
    with page.expect_navigation():
        page.locator("main a.button--start").click()
    assert current_page_id(page) == "work_ability_rating", "continues at the page left"
    while (page_id := current_page_id(page)) is not None:
        answer(page, SECOND_SITTING[page_id])
        check_page(page, f"qn-{locale}-page-{page_id}")
        press(page, "continue")
    assert page.url.endswith("/check")
    assert case["check"] in page.locator("h1").inner_text()
    check_page(page, f"qn-{locale}-check")

    with page.expect_navigation():
        page.locator("a[href$='/pages/interview_format?return=check']").click()
    answer(page, {"interview_modality": "video"})
    check_page(page, f"qn-{locale}-change")
    press(page, "continue")
    assert page.url.endswith("/check")
    assert case["video"] in page.locator("main").inner_text()
    with page.expect_navigation():
        page.locator("form[action$='/submit'] button").click()
    assert case["sent"] in page.locator("h1").inner_text()
    check_page(page, f"qn-{locale}-done")
    with page.expect_navigation():
        page.locator("main a[href$='/view']").click()
    assert case["video"] in page.locator("main").inner_text()
    check_page(page, f"qn-{locale}-view")


def review(page: Page, base: str, case: dict, locale: str) -> None:
    sign_in_as(page, base, "Riikka Rantanen", staff=True, check=True)
    with page.expect_navigation():
        page.get_by_role("link", name=case["queue"], exact=True).click()
    check_page(page, f"qn-{locale}-queue")
    with page.expect_navigation():
        page.get_by_role("link", name=case["client"]).click()
    main = page.locator("main").inner_text()
    flagged = main.index(case["flagged"])
    assert flagged < main.index(case["first_section"])
    attention = main[flagged : main.index(case["first_section"])]
    assert case["scale"] in attention
    assert case["help"] in attention
    check_page(page, f"qn-{locale}-review")
    page.locator("#text").fill(case["note"])
    with page.expect_navigation():
        page.locator("form[action$='/notes'] button").click()
    assert case["note"] in page.locator("#notes").inner_text()
    with page.expect_navigation():
        page.locator("button[name=decision][value=reviewed]").click()
    assert case["reviewed"] in page.locator("main").inner_text()
    check_page(page, f"qn-{locale}-reviewed")
    with page.expect_navigation():
        page.locator("main a[href$='/print']").click()
    check_page(page, f"qn-{locale}-print")


@pytest.mark.parametrize("locale", ["fi", "sv"])
def test_the_client_answers_in_two_sittings_and_the_adviser_reviews(
    browser, live_server, app, db, demo, locale
):
    case = CASES[locale]
    with app.app_context():
        demo_questionnaires(db)

    first = new_context(browser, PHONE, locale)
    first_sitting(first.new_page(), live_server.url, case, locale)
    first.close()
    # Later, on another device.
    second = new_context(browser, PHONE, locale)
    second_sitting(second.new_page(), live_server.url, case, locale)
    second.close()

    office = new_context(browser, DESKTOP, locale)
    review(office.new_page(), live_server.url, case, locale)
    office.close()
