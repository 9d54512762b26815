"""The feedback journey with the keyboard alone: skip link, errors, correction, sending."""

from portal.services.feedback import received
from tests.e2e.conftest import WIDTHS, check_page, new_context, sign_in_as
from tests.integration import questionnaire_helpers as questionnaires


def press(page, key, times=1):
    for _ in range(times):
        page.keyboard.press(key)


FOCUSED_COLOURS = """() => {
  const style = getComputedStyle(document.activeElement);
  return [style.color, style.backgroundColor];
}"""


DARK_ON_YELLOW = ["rgb(27, 27, 27)", "rgb(255, 191, 71)"]


def focused_text(page):
    return page.evaluate("document.activeElement.textContent.trim()")


def test_feedback_can_be_given_with_the_keyboard_alone(phone, live_server, app, db):
    page = phone
    page.goto(live_server.url + "/accessibility/feedback")
    press(page, "Tab")
    assert focused_text(page) == "Siirry suoraan sisältöön"
    # A focused link is dark text on the focus yellow, in the header and the error summary too.
    page.get_by_role("link", name="På svenska").focus()
    assert page.evaluate(FOCUSED_COLOURS) == DARK_ON_YELLOW
    page.locator(".skip-link").focus()
    press(page, "Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    # Tab to the submit button without filling anything in, and send.
    for _ in range(20):
        press(page, "Tab")
        if page.evaluate("document.activeElement.type") == "submit":
            break
    with page.expect_navigation():
        press(page, "Enter")
    assert page.title().startswith("Virhe: ")
    check_page(page, "keyboard-feedback-errors")

    # The error summary takes focus; its first link moves to the first choice, with the question
    # and its error in view above it.
    page.locator(".error-summary a").first.focus()
    assert page.evaluate(FOCUSED_COLOURS) == DARK_ON_YELLOW
    press(page, "Enter")
    assert page.evaluate("document.activeElement.id") == "topic-0"
    question = page.locator("fieldset:has(#topic-0) legend")
    assert question.evaluate("e => e.getBoundingClientRect().top") >= 0, "the question is in view"
    assert page.locator("#topic-error").evaluate("e => e.getBoundingClientRect().top") >= 0
    # A text field's label too.
    page.locator(".error-summary a").last.focus()
    press(page, "Enter")
    assert page.evaluate("document.activeElement.id") == "message"
    assert page.locator("label[for=message]").evaluate("e => e.getBoundingClientRect().top") >= 0
    page.locator("#topic-0").focus()
    press(page, "Space")
    press(page, "Tab", 2)
    assert page.evaluate("document.activeElement.id") == "message"
    page.keyboard.type("Näppäimistöllä toimii. Åäö.")
    while page.evaluate("document.activeElement.type") != "submit":
        press(page, "Tab")
    with page.expect_navigation(url="**/thanks"):
        press(page, "Enter")
    assert page.locator("h1").inner_text() == "Kiitos palautteestasi"
    check_page(page, "keyboard-feedback-thanks")
    with app.app_context():
        (stored,) = received(db, handled=False)
    assert stored.message == "Näppäimistöllä toimii. Åäö."


TABLE_STOPS = """() => [...document.querySelectorAll(".table-wrap[role=region]")]
  .map(wrap => [wrap.scrollWidth > wrap.clientWidth + 1, wrap.getAttribute("tabindex")])"""


def test_a_table_region_is_a_tab_stop_only_while_it_scrolls(browser, live_server, app, db, demo):
    # A keyboard scrolls a wide table from its focused region; on a desktop where every table fits,
    # the regions were four extra stops on the way through a client's overview.
    questionnaires.assign(app, db, demo["client_fi"], demo["adviser"])  # a table of questionnaires
    context = new_context(browser, WIDTHS["desktop"])
    page = context.new_page()
    sign_in_as(page, live_server.url, "Riikka", staff=True)
    page.goto(f"{live_server.url}/staff/clients/{demo['client_fi'].id}")
    regions = page.evaluate(TABLE_STOPS)
    assert regions, "the overview has tables"
    assert all(stop is None for scrolls, stop in regions if not scrolls)
    assert all(stop == "0" for scrolls, stop in regions if scrolls)
    page.set_viewport_size(WIDTHS["phone"])
    page.wait_for_function("document.querySelector('.table-wrap[role=region][tabindex]') !== null")
    narrow = page.evaluate(TABLE_STOPS)
    assert any(scrolls for scrolls, _stop in narrow), "a table that does not fit a phone"
    assert all((stop == "0") == scrolls for scrolls, stop in narrow)
    context.close()


def test_a_focused_link_is_outlined_in_forced_colours(browser, live_server):
    # High contrast drops backgrounds and shadows: the focus yellow and the bar under a link were
    # all that showed focus, so a focused link looked like any other.
    context = browser.new_context(viewport=WIDTHS["phone"], forced_colors="active")
    page = context.new_page()
    page.goto(live_server.url + "/accessibility")
    page.get_by_role("link", name="På svenska").focus()
    outline = page.evaluate(
        "(s => [s.outlineStyle, s.outlineWidth])(getComputedStyle(document.activeElement))"
    )
    assert outline == ["solid", "3px"]
    context.close()
