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


def test_the_footers_continue_button_keeps_what_was_typed(browser, live_server, demo):
    # Sent as a form, it reloaded the page: continuing as asked lost what was typed.
    page = new_context(browser, PHONE, "sv").new_page()
    sign_in_as(page, live_server.url, "Anna-Lena Björkqvist")
    page.goto(live_server.url + "/my-data/contact")
    page.locator("#email").fill("forlangd@example.fi")
    with page.expect_response("**/session/extend") as extended:
        page.locator(".session-notice__form button").click()
    assert extended.value.status == 204
    told = page.locator("[data-session-extended]")
    told.wait_for(state="visible")
    assert told.inner_text() == "Du kan fortsätta. Det du har skrivit finns kvar på sidan."
    assert page.url == live_server.url + "/my-data/contact"
    assert page.locator("#email").input_value() == "forlangd@example.fi"
    check_page(page, "session-continued-sv")
    page.context.close()


def _last_page_before_the_limit(app, db, browser, live_server, person, name: str, locale: str):
    """Signed in, with the idle limit a minute and the last use 48 seconds ago: the next page
    loaded is the last one before the limit."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from portal.models import UserSession

    app.config["SESSION_IDLE_MINUTES"] = 1
    app.config["SESSION_WARNING_SECONDS"] = 5
    page = new_context(browser, PHONE, locale).new_page()
    sign_in_as(page, live_server.url, name)
    db.execute(
        update(UserSession)
        .where(UserSession.client_id == person.id)
        .values(last_seen_at=datetime.now(UTC) - timedelta(seconds=48))
    )
    db.commit()
    return page


def _sign_in_again(page, name: str) -> None:
    page.locator("form button[type=submit]").nth(0).click()
    page.get_by_label(name, exact=False).check()
    with page.expect_navigation():
        page.locator("form button[type=submit]").first.click()


def test_answers_typed_when_the_time_runs_out_come_back_after_signing_in_again(
    browser, live_server, app, db, demo
):
    from tests.integration.questionnaire_helpers import assign, at, put_answers, stored

    client = demo["client_sv"]
    response = assign(app, db, client, demo["adviser"], interview_at=at(2026, 12, 10))
    put_answers(app, db, response, {"health_affects_work": "a_lot"}, page="health_details")
    page = _last_page_before_the_limit(app, db, browser, live_server, client, "Anna-Lena Björkqvist", "sv")
    url = f"{live_server.url}/questionnaires/{response.id}/pages/health_details"
    page.goto(url)
    typed = "Ryggen värker om jag står mer än en timme."
    page.locator("textarea[name=health_description]").fill(typed)

    # Nobody answers the warning: at the limit the page sends what was typed instead of losing it.
    page.wait_for_url("**/sign-in?**", timeout=30_000)
    assert "Det du skrev på sidan finns kvar" in page.locator("main").inner_text()
    assert "health_description" not in stored(app, db, response).answers
    check_page(page, "kept-over-timeout-sign-in-sv")

    _sign_in_again(page, "Anna-Lena Björkqvist")
    assert page.url == url
    assert "Svaren på den här sidan har inte sparats ännu" in page.locator("main").inner_text()
    assert page.locator("textarea[name=health_description]").input_value() == typed
    check_page(page, "kept-over-timeout-page-sv")
    app.config["SESSION_IDLE_MINUTES"] = 30
    page.get_by_role("button", name="Spara och fortsätt", exact=True).click()
    page.wait_for_url(lambda now: now != url)
    assert stored(app, db, response).answers["health_description"] == typed
    page.context.close()


def test_contact_details_typed_when_the_time_runs_out_come_back_unsaved(browser, live_server, app, db, demo):
    from portal.models import Client

    client = demo["client_fi"]
    page = _last_page_before_the_limit(app, db, browser, live_server, client, "Maija Meikäläinen", "fi")
    url = f"{live_server.url}/my-data/contact"
    page.goto(url)
    page.locator("#email").fill("uusi.osoite@example.fi")

    page.wait_for_url("**/sign-in?**", timeout=30_000)
    assert "Sivulle kirjoittamasi on tallessa" in page.locator("main").inner_text()
    _sign_in_again(page, "Maija Meikäläinen")
    assert page.url == url
    assert "Kirjoittamaasi ei ole vielä tallennettu" in page.locator("main").inner_text()
    assert page.locator("#email").input_value() == "uusi.osoite@example.fi"
    check_page(page, "kept-over-timeout-contact-fi")
    db.expire_all()
    assert db.get(Client, client.id).email == "maija.meikalainen@example.fi"
    page.context.close()
