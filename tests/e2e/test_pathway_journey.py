"""The adviser moves a client's pathway with a note; the client sees it, and who looked at their data."""

import pytest

from portal.services.audit import SYSTEM
from portal.services.clients import assign
from tests.e2e.conftest import DESKTOP, PHONE, check_page, new_context, sign_in_as

CASES = {
    "fi": {
        "client": "client_fi",
        "name": "Maija Meikäläinen",
        "note": "Hienoa, jatketaan kyselyllä!",
        "sign_out": "Kirjaudu ulos",
        "step": "Esitietokysely",
        "start": "Aloita polku",
        "move": "Siirrä polkua",
        "manage": "Hallitse polkua",
        "who": "Kuka on käyttänyt tietojasi",
        "moved": "Polku on siirretty uuteen vaiheeseen.",
    },
    "sv": {
        "client": "client_sv",
        "name": "Anna-Lena Björkqvist",
        "note": "Bra, vi fortsätter med frågeformuläret!",
        "sign_out": "Logga ut",
        "step": "Frågeformulär inför intervjun",
        "start": "Påbörja stigen",
        "move": "Flytta stigen",
        "manage": "Hantera stigen",
        "who": "Vem som har använt dina uppgifter",
        "moved": "Stigen har flyttats till det nya steget.",
    },
}


@pytest.mark.parametrize("locale", ["fi", "sv"])
def test_the_adviser_moves_the_pathway_and_the_client_sees_it(browser, live_server, app, db, demo, locale):
    case = CASES[locale]
    client = demo[case["client"]]
    with app.app_context():
        assign(db, SYSTEM, client, demo["adviser"])

    staff = new_context(browser, DESKTOP, locale).new_page()
    sign_in_as(staff, live_server.url, "Riikka Rantanen", staff=True)
    staff.goto(live_server.url + "/staff/clients")
    check_page(staff, f"my-clients-{locale}")
    with staff.expect_navigation():
        staff.get_by_role("link", name=case["name"]).click()
    check_page(staff, f"client-overview-{locale}")
    with staff.expect_navigation():
        staff.get_by_role("link", name=case["manage"]).click()
    check_page(staff, f"pathway-start-{locale}")
    staff.locator("input[name='start-template']").first.check()
    with staff.expect_navigation():
        staff.get_by_role("button", name=case["start"]).click()
    staff.get_by_label(case["step"], exact=True).check()
    staff.locator("#move-note").fill(case["note"])
    staff.locator("#move-note_for_client").check()
    with staff.expect_navigation():
        staff.get_by_role("button", name=case["move"]).click()
    assert case["note"] in staff.content()
    # Told it was done, where the keyboard and the screen reader are: on the notice saying so.
    staff.wait_for_function("document.activeElement.hasAttribute('data-announce')")
    assert staff.evaluate("document.activeElement.textContent.trim()") == case["moved"]
    check_page(staff, f"pathway-manage-{locale}")
    staff.context.close()

    phone = new_context(browser, PHONE, locale).new_page()
    sign_in_as(phone, live_server.url, case["name"])
    assert case["step"] in phone.locator("main").inner_text()
    check_page(phone, f"client-home-{locale}")
    phone.goto(live_server.url + "/pathway")
    assert case["note"] in phone.locator("main").inner_text()
    assert phone.locator("[aria-current=step]").inner_text().endswith(case["step"])
    check_page(phone, f"client-pathway-{locale}")
    phone.goto(live_server.url + "/my-data")
    check_page(phone, f"my-data-{locale}")
    with phone.expect_navigation():
        phone.get_by_role(
            "link",
            name=case["who"].replace("Kuka on", "Katso, kuka on")
            if locale == "fi"
            else "Se vem som har använt dina uppgifter",
        ).click()
    log = phone.locator("main").inner_text()
    assert "Riikka Rantanen" in log
    # The client list the adviser opened first is there too, once, as a list view.
    assert log.count("(nimesi listassa)" if locale == "fi" else "(ditt namn på en lista)") == 1
    check_page(phone, f"access-log-{locale}")
    phone.goto(live_server.url + "/my-data/contact")
    check_page(phone, f"contact-{locale}")
    phone.goto(live_server.url + "/my-data")
    with phone.expect_download() as download:
        phone.locator("form[action='/my-data/download'] button").click()
    assert download.value.suggested_filename.startswith("polku-")
    phone.context.close()
