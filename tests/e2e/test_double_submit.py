"""A double tap on a slow connection sends a form once (static/polku.js), and the button works
again when no answer comes."""

from collections.abc import Callable

from playwright.sync_api import Page, Route

from portal.services.feedback import received

FEEDBACK = "/accessibility/feedback"


def filled_in(page: Page, base: str, message: str) -> list[Route]:
    """The feedback form filled in; the network holds each sending, as a slow phone connection would,
    until the test lets it through. Returns the sendings held."""
    page.goto(base + FEEDBACK)
    page.locator("#topic-0").check()
    page.locator("#message").fill(message)
    held: list[Route] = []
    page.route(
        "**" + FEEDBACK,
        lambda route: held.append(route) if route.request.method == "POST" else route.continue_(),
    )
    return held


def tapper(page: Page) -> Callable[[], None]:
    """A finger on the send button, found before the first tap: no waiting for the page on its way,
    as a person does not wait."""
    button = page.locator("main form button[type=submit]")
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    assert box is not None
    return lambda: page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def test_a_second_press_while_the_form_is_on_its_way_is_not_sent(phone, live_server, app, db):
    page = phone
    held = filled_in(page, live_server.url, "Painoin kahdesti, koska mitään ei näkynyt tapahtuvan.")
    tap = tapper(page)
    tap()
    page.wait_for_timeout(300)
    tap()
    page.wait_for_timeout(300)
    assert len(held) == 1, "the second press was sent too"
    with page.expect_navigation(url="**/thanks"):
        held[0].continue_()
    with app.app_context():
        assert [feedback.message for feedback in received(db, handled=False)] == [
            "Painoin kahdesti, koska mitään ei näkynyt tapahtuvan."
        ]


def test_the_button_works_again_when_no_answer_comes(phone, live_server, app, db):
    page = phone
    held = filled_in(page, live_server.url, "Yhteys jumittui.")
    tap = tapper(page)
    tap()
    page.wait_for_timeout(5500)  # the first sending never answered
    tap()
    page.wait_for_timeout(300)
    assert len(held) == 2
    with page.expect_navigation(url="**/thanks"):
        held[1].continue_()
    with app.app_context():
        assert [feedback.message for feedback in received(db, handled=False)] == ["Yhteys jumittui."]


def test_the_button_looks_busy_while_the_form_is_on_its_way(phone, live_server):
    # A slow phone showed nothing for seconds after the press. The page's own sending is stopped
    # after polku.js has seen it, so the button's look can be read before and after.
    page = phone
    page.goto(live_server.url + FEEDBACK)
    page.evaluate("window.addEventListener('submit', event => event.preventDefault())")
    cursor = "getComputedStyle(document.querySelector('main form button[type=submit]')).cursor"
    assert page.evaluate(cursor) == "pointer"
    page.locator("main form button[type=submit]").click()
    assert page.evaluate(cursor) == "progress"
    page.wait_for_timeout(5500)
    assert page.evaluate(cursor) == "pointer", "the button works again, and looks it"
