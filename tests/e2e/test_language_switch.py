"""The language switch on a page with something typed takes it along: nothing is lost or saved."""

import pytest

from tests.e2e.conftest import PHONE, check_page, new_context, sign_in_as


def test_switching_language_keeps_what_was_typed_and_saves_nothing(browser, live_server, app, db, demo):
    from portal.models import Client

    page = new_context(browser, PHONE, "fi").new_page()
    sign_in_as(page, live_server.url, "Maija Meikäläinen")
    page.goto(live_server.url + "/my-data/contact")
    page.locator("#email").fill("uusi.osoite@example.fi")
    with page.expect_navigation():
        page.get_by_role("link", name="På svenska").click()
    assert page.url == live_server.url + "/my-data/contact"
    assert page.locator("html").get_attribute("lang") == "sv"
    assert page.locator("#email").input_value() == "uusi.osoite@example.fi"
    assert page.get_by_text("Det du skrev har inte sparats ännu").is_visible()
    # Focus is on the notice: a screen reader reads why the page came back with the form filled in.
    assert page.evaluate("document.activeElement.textContent").strip().startswith("Det du skrev har inte")
    check_page(page, "language-switch-kept-sv")
    db.expire_all()
    assert db.get(Client, demo["client_fi"].id).email == "maija.meikalainen@example.fi", "nothing saved"

    # With nothing typed, the switch is the plain link it always was.
    page.goto(live_server.url + "/my-data/contact")
    with page.expect_navigation():
        page.get_by_role("link", name="Suomeksi").click()
    assert page.locator("html").get_attribute("lang") == "fi"
    assert page.locator("#email").input_value() == "maija.meikalainen@example.fi"
    page.context.close()


def test_reading_a_consent_in_the_other_language_keeps_the_choices_and_says_nothing_was_signed(
    browser, live_server, app, db, demo
):
    from tests.integration.consent_helpers import issue

    request_id = issue(app, db, demo["staff"], demo["client_fi"])
    page = new_context(browser, PHONE, "fi").new_page()
    sign_in_as(page, live_server.url, "Maija Meikäläinen")
    page.goto(f"{live_server.url}/consents/{request_id}")
    optional = "Yhteydenpito kuntoutuksen palveluntuottajaan kuntoutuksesi aikana"
    page.get_by_label(optional, exact=False).check()
    with page.expect_navigation():
        page.get_by_role("link", name="Lue teksti ruotsiksi").click()
    assert page.locator("html").get_attribute("lang") == "sv"
    assert page.get_by_label(
        "Kontakt med serviceproducenten under din rehabilitering", exact=False
    ).is_checked()
    main = page.locator("main").inner_text()
    assert "Dina val finns kvar. Ingenting har undertecknats ännu" in main
    assert "identifierat dig på nytt" not in main, "no one identified again"
    check_page(page, "consent-language-kept-sv")
    page.context.close()


def test_the_move_of_an_appointment_keeps_a_new_number_over_the_language_switch(
    browser, live_server, app, db, demo
):
    from portal.models import Booking
    from tests.conftest import signed_in
    from tests.integration.booking_support import book_as_client, may_book, publish_times

    ids = publish_times(app, db, demo["adviser"], days=2)
    may_book(app, db, demo["client_fi"], demo["adviser"])
    assert book_as_client(signed_in(app, demo["client_fi"]), ids[0]).status_code == 302
    (booking,) = db.query(Booking).all()
    page = new_context(browser, PHONE, "fi").new_page()
    sign_in_as(page, live_server.url, "Maija Meikäläinen")
    move = f"/appointments/{booking.id}/move/{ids[1]}"
    page.goto(live_server.url + move)
    page.locator("#phone").fill("050 765 4321")
    with page.expect_navigation():
        page.get_by_role("link", name="På svenska").click()
    assert page.url == live_server.url + move
    assert page.locator("html").get_attribute("lang") == "sv"
    assert page.locator("#phone").input_value() == "050 765 4321"
    db.expire_all()
    assert db.get(Booking, booking.id).slot_id == ids[0], "nothing moved"
    page.context.close()


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_public_feedback_form_keeps_what_was_typed_over_the_language_switch(
    browser, live_server, app, db, signed_in
):
    from portal.services.feedback import received

    page = new_context(browser, PHONE, "fi").new_page()
    if signed_in:
        sign_in_as(page, live_server.url, "Maija Meikäläinen")
    page.goto(live_server.url + "/accessibility/feedback")
    assert page.locator("[data-kept-in-browser]").is_hidden()
    page.locator("#topic-0").check()
    page.locator("#message").fill("Luen mieluummin ruotsiksi. Åäö.")
    with page.expect_navigation():
        page.get_by_role("link", name="På svenska").click()
    assert page.url == live_server.url + "/accessibility/feedback"
    assert page.locator("html").get_attribute("lang") == "sv"
    assert page.locator("#message").input_value() == "Luen mieluummin ruotsiksi. Åäö."
    assert page.locator("#topic-0").is_checked()
    assert page.get_by_text("Din respons har inte skickats ännu").is_visible()
    assert page.evaluate("document.activeElement.textContent").strip().startswith("Din respons har inte")
    check_page(page, f"feedback-kept-sv-{'signed-in' if signed_in else 'anonymous'}")
    with app.app_context():
        assert received(db, handled=False) == [], "nothing sent"
    # Kept once: the page read again starts empty.
    page.reload()
    assert page.locator("#message").input_value() == ""
    assert page.locator("[data-kept-in-browser]").is_hidden()
    page.context.close()
