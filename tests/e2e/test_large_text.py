"""Large text on a phone: with the text at twice its size, no page scrolls sideways.

People who read with large text on a small phone met long compound words in buttons, menu and footer
links ("Saavutettavuusseloste", "Ge respons om tillgängligheten") that pushed the page wider than
the screen. WCAG asks for 200 % zoom; this is the harder case of 200 % text at 360 px.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import PHONE, sign_in_as
from tests.integration import questionnaire_helpers as questionnaires

LARGE_TEXT = "html { font-size: 200% !important; }"
WIDER_THAN_SCREEN = """() => [...document.querySelectorAll("body *")]
  .filter(e => !e.closest(".table-wrap"))
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .map(e => e.tagName + " " + (e.textContent || "").trim().slice(0, 40))"""


def sideways(page, url):
    page.goto(url)
    page.add_style_tag(content=LARGE_TEXT)
    return page.evaluate(WIDER_THAN_SCREEN)


@pytest.mark.parametrize("locale", ["fi", "sv"])
def test_twice_the_text_size_on_a_phone_does_not_scroll_sideways(browser, live_server, app, db, demo, locale):
    questionnaires.assign(app, db, demo["client_fi"], demo["adviser"])
    # The test adds a style of its own to each page, which the pages' policy would refuse.
    context = browser.new_context(viewport=PHONE, locale=f"{locale}-FI", bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/language/{locale}")
    for path in ("/", "/accessibility", "/accessibility/feedback", "/contact"):
        assert sideways(page, live_server.url + path) == [], path
    sign_in_as(page, live_server.url, "Maija Meikäläinen")
    for path in ("/home", "/pathway", "/questionnaires", "/consents", "/appointments", "/my-data"):
        assert sideways(page, live_server.url + path) == [], path
    context.clear_cookies()
    sign_in_as(page, live_server.url, "Riikka", staff=True)
    client = demo["client_fi"].id
    for path in ("/staff", "/staff/clients", f"/staff/clients/{client}", f"/staff/clients/{client}/pathway"):
        assert sideways(page, live_server.url + path) == [], path
    context.close()
