"""The idle warning lets a person continue without losing what they typed on the page."""

from tests.e2e.conftest import PHONE, check_page, new_context, sign_in_as


def test_the_warning_appears_and_continuing_keeps_the_page(browser, live_server, app, demo):
    app.config["SESSION_IDLE_MINUTES"] = 1
    app.config["SESSION_WARNING_SECONDS"] = 57  # the warning shows three seconds after the page loads
    page = new_context(browser, PHONE, "fi").new_page()
    sign_in_as(page, live_server.url, "Maija Meikäläinen")
    page.goto(live_server.url + "/my-data/contact")
    page.locator("#email").fill("kesken@example.fi")
    dialog = page.locator("#session-dialog")
    dialog.wait_for(state="visible", timeout=10_000)
    assert page.evaluate("document.activeElement.textContent.trim()") == "Jatka asiointia"
    check_page(page, "session-warning-fi")
    with page.expect_response("**/session/extend") as extended:
        page.keyboard.press("Enter")
    assert extended.value.status == 204
    dialog.wait_for(state="hidden")
    assert page.locator("#email").input_value() == "kesken@example.fi"
    page.context.close()
