"""Signing in and out through the development provider in a real browser, in both languages."""

import pytest

from tests.e2e.conftest import PHONE, WIDTHS, check_page, new_context, sign_in_as


@pytest.mark.parametrize(
    ("locale", "name", "staff", "landing", "heading"),
    [
        ("fi", "Maija Meikäläinen", False, "/home", "Hei, Maija"),
        ("sv", "Anna-Lena Björkqvist", False, "/home", "Hej, Anna-Lena"),
        ("fi", "Veeti Šalin", False, "/home", "Hei, Veeti"),
        ("fi", "Aino Ylönen", False, "/home", "Hei, Aino"),
        ("fi", "Riikka Rantanen", True, "/staff", "Hei, Riikka Rantanen"),
        ("sv", "Sami Salonen", True, "/staff", "Hej, Sami Salonen"),
        ("fi", "Polku Admin", True, "/staff", "Hei, Polku Admin"),
    ],
)
def test_each_demo_person_signs_in_and_out(browser, live_server, demo, locale, name, staff, landing, heading):
    context = new_context(browser, PHONE, locale)
    page = context.new_page()
    sign_in_as(page, live_server.url, name, staff=staff, check=True)
    assert page.url == live_server.url + landing
    assert page.locator("h1").inner_text() == heading
    check_page(page, f"landing-{locale}-{name.split()[0]}")
    with page.expect_navigation(url="**/signed-out**"):
        page.get_by_role("button", name="Kirjaudu ulos" if locale == "fi" else "Logga ut").click()
    check_page(page, f"signed-out-{locale}")
    page.goto(live_server.url + landing)
    assert "/sign-in" in page.url
    context.close()


def test_a_client_signs_in_with_the_keyboard_alone(browser, live_server, demo):
    context = new_context(browser, WIDTHS["phone"], "fi")
    page = context.new_page()
    page.goto(live_server.url + "/sign-in")
    while page.evaluate("document.activeElement.textContent.trim()") != "Tunnistaudu":
        page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # On the provider page: the first person is chosen; move to Maija with the arrow keys if needed.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    while not page.evaluate("document.activeElement.id || ''").startswith("person-"):
        page.keyboard.press("Tab")
    while "Maija" not in page.evaluate(
        "document.querySelector('input[name=person]:checked').labels[0].textContent"
    ):
        page.keyboard.press("ArrowDown")
    while page.evaluate("document.activeElement.type") != "submit":
        page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == live_server.url + "/home"
    assert page.locator("h1").inner_text() == "Hei, Maija"
    context.close()


def test_a_cancelled_identification_is_explained(browser, live_server, demo):
    context = new_context(browser, PHONE, "sv")
    page = context.new_page()
    page.goto(live_server.url + "/sign-in")
    with page.expect_navigation():
        page.locator("form button[type=submit]").first.click()
    with page.expect_navigation():
        page.get_by_role("button", name="Avbryt").click()
    assert page.locator("h1").inner_text() == "Du avbröt identifieringen"
    check_page(page, "cancelled-sv")
    context.close()
