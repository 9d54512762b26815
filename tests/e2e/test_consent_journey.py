"""The demo staff member asks for the TYM consent; the client signs it on a phone, stepping up through
the development provider, downloads the receipt and later revokes it; the overview follows each step.
In Finnish and in Swedish, axe on every page at 360 px, and the staff overview also at 1280 px."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page
from pypdf import PdfReader
from sqlalchemy import select, update

from portal.models import ConsentRequest, ConsentSignature, UserSession
from portal.services.consent import demo_consents
from tests.e2e.conftest import DESKTOP, PHONE, check_page, new_context

CASES = {
    "fi": {
        "client": "client_fi",
        "name": "Maija Meikäläinen",
        "title": "Suostumus tietojen vaihtamiseen TYM-yhteistyössä",
        "ask": "Pyydä suostumusta",
        "send": "Lähetä pyyntö",
        "sent": "Pyyntö on lähetetty.",
        "optional": "Yhteydenpito kuntoutuksen palveluntuottajaan kuntoutuksesi aikana",
        "sign": "Allekirjoita",
        "kept": "Tunnistauduit uudelleen. Valintasi ovat tallessa",
        "signed": "Olet allekirjoittanut suostumuksen",
        "receipt": "Lataa kuitti (PDF)",
        "receipt_title": "Kuitti suostumuksestasi",
        "to_page": "Siirry suostumuksen sivulle",
        "revoke": "Peru suostumus",
        "revoked": "Suostumuksesi on peruttu. Peruminen tuli voimaan heti.",
        "revoked_status": "Suostumus peruttu",
        "valid_status": "Allekirjoitettu, voimassa",
        "check": "Tarkista",
        "not_valid": "Ei voimassa",
        "refused": "Olet jo kieltäytynyt tästä pyynnöstä",
    },
    "sv": {
        "client": "client_sv",
        "name": "Anna-Lena Björkqvist",
        "title": "Samtycke till utbyte av uppgifter i TYM-samarbetet",
        "ask": "Be om samtycke",
        "send": "Skicka begäran",
        "sent": "Begäran har skickats.",
        "optional": "Kontakt med serviceproducenten under din rehabilitering",
        "sign": "Underteckna",
        "kept": "Du har identifierat dig på nytt. Dina val finns kvar",
        "signed": "Du har undertecknat samtycket",
        "receipt": "Ladda ner kvittot (PDF)",
        "receipt_title": "Kvitto på ditt samtycke",
        "to_page": "Gå till samtyckets sida",
        "revoke": "Återkalla samtycket",
        "revoked": "Ditt samtycke är återkallat. Det upphörde genast.",
        "revoked_status": "Återkallat",
        "valid_status": "Undertecknat, giltigt",
        "check": "Kontrollera",
        "not_valid": "Gäller inte",
        "refused": "Du har redan avböjt den här begäran",
    },
}


def sign_in(page: Page, base: str, name: str, *, staff: bool, locale: str) -> None:
    """Through the sign-in page and the development provider's chooser, as a person would."""
    page.goto(base + "/sign-in")
    check_page(page, f"consent-sign-in-{locale}")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").nth(1 if staff else 0).click()
    page.get_by_label(name, exact=False).check()
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()


def coverage(page: Page) -> str:
    return page.locator(".consent-overview").inner_text()


@pytest.mark.parametrize("locale", ["fi", "sv"])
def test_staff_ask_the_client_signs_downloads_the_receipt_and_revokes(
    browser, live_server, app, db, demo, locale
):
    case = CASES[locale]
    client = demo[case["client"]]
    base = live_server.url
    with app.app_context():
        demo_consents(db)  # the demo professionals work with the demo clients

    staff = new_context(browser, PHONE, locale).new_page()
    sign_in(staff, base, "Sami Salonen", staff=True, locale=locale)
    staff.goto(f"{base}/staff/clients/{client.id}")
    check_page(staff, f"consent-overview-before-{locale}")
    with staff.expect_navigation():
        staff.get_by_role("link", name=case["ask"]).click()
    check_page(staff, f"consent-new-for-client-{locale}")
    staff.get_by_label(case["title"]).check()
    staff.fill("#message", "Hei! / Hej!")
    with staff.expect_navigation():
        staff.get_by_role("button", name=case["send"]).click()
    assert case["sent"] in staff.locator("main").inner_text()
    check_page(staff, f"consent-staff-request-sent-{locale}")

    phone = new_context(browser, PHONE, locale).new_page()
    sign_in(phone, base, case["name"], staff=False, locale=locale)
    assert phone.url == base + "/home"
    check_page(phone, f"consent-client-home-{locale}")
    with phone.expect_navigation():
        phone.get_by_role("link", name=case["title"]).click()
    check_page(phone, f"consent-sign-page-{locale}")
    assert phone.locator("h1").inner_text() == case["title"]

    # The identification is older than the limit: signing goes through the provider again.
    db.execute(
        update(UserSession)
        .where(UserSession.client_id == client.id)
        .values(auth_time=datetime.now(UTC) - timedelta(minutes=30))
    )
    db.commit()
    phone.get_by_label(case["optional"]).check()
    with phone.expect_navigation():
        phone.get_by_role("button", name=case["sign"]).click()
    check_page(phone, f"consent-step-up-provider-{locale}")
    phone.get_by_label(case["name"], exact=False).check()
    with phone.expect_navigation():
        phone.locator("main form button[type=submit]").first.click()
    assert case["kept"] in phone.locator("main").inner_text()
    assert phone.get_by_label(case["optional"]).is_checked()
    check_page(phone, f"consent-sign-page-restored-{locale}")
    with phone.expect_navigation():
        phone.get_by_role("button", name=case["sign"]).click()
    assert phone.locator("h1").inner_text() == case["signed"]
    check_page(phone, f"consent-signed-{locale}")

    with phone.expect_download() as download:
        phone.get_by_role("link", name=case["receipt"]).click()
    receipt = PdfReader(io.BytesIO(open(download.value.path(), "rb").read()))  # noqa: SIM115
    receipt_text = "\n".join(page.extract_text() for page in receipt.pages)
    assert case["receipt_title"] in receipt_text
    assert case["name"] in receipt_text
    db.expire_all()
    signature = db.scalars(select(ConsentSignature)).one()
    assert signature.locale == locale
    assert "provider_contact" in signature.choices["purposes"]

    staff.goto(f"{base}/staff/clients/{client.id}")
    assert staff.locator(".consent-coverage strong").count() == 12
    assert case["valid_status"] in coverage(staff)
    check_page(staff, f"consent-overview-signed-{locale}")
    wide = new_context(browser, DESKTOP, locale).new_page()
    sign_in(wide, base, "Sami Salonen", staff=True, locale=locale)
    wide.goto(f"{base}/staff/clients/{client.id}")
    check_page(wide, f"consent-overview-signed-{locale}")
    wide.goto(f"{base}/staff/consents?status=signed")
    check_page(wide, f"consent-staff-list-signed-{locale}")
    wide.context.close()

    with phone.expect_navigation():
        phone.get_by_role("link", name=case["to_page"]).click()
    check_page(phone, f"consent-status-signed-{locale}")
    with phone.expect_navigation():
        phone.get_by_role("link", name=case["revoke"]).click()
    check_page(phone, f"consent-revoke-confirm-{locale}")
    with phone.expect_navigation():
        phone.get_by_role("button", name=case["revoke"]).click()
    assert case["revoked"] in phone.locator("main").inner_text()
    check_page(phone, f"consent-revoked-{locale}")
    phone.goto(base + "/consents")
    check_page(phone, f"consent-client-list-{locale}")

    staff.goto(f"{base}/staff/clients/{client.id}")
    assert staff.locator(".consent-coverage strong").count() == 0
    assert case["revoked_status"] in coverage(staff)
    consent = db.scalars(select(ConsentRequest).where(ConsentRequest.client_id == client.id)).one()
    staff.goto(f"{base}/staff/consents/requests/{consent.id}")
    check_page(staff, f"consent-staff-request-revoked-{locale}")
    staff.goto(f"{base}/staff/consents?status=revoked")
    check_page(staff, f"consent-staff-list-revoked-{locale}")

    anyone = new_context(browser, PHONE, locale).new_page()
    anyone.goto(base + "/verify")
    check_page(anyone, f"consent-verify-{locale}")
    anyone.fill("#code", signature.verification_code)
    with anyone.expect_navigation():
        anyone.get_by_role("button", name=case["check"]).click()
    assert case["not_valid"] in anyone.locator("main").inner_text()
    assert case["name"] not in anyone.content()
    check_page(anyone, f"consent-verify-result-{locale}")
    for page in (anyone, phone, staff):
        page.context.close()


@pytest.mark.parametrize("locale", ["fi", "sv"])
def test_the_other_consent_pages_pass_axe(browser, live_server, app, db, demo, locale):
    """Declining, a refusal, issuing by identity code with errors, checking a receipt as staff."""
    case = CASES[locale]
    base = live_server.url
    with app.app_context():
        demo_consents(db)
    staff = new_context(browser, PHONE, locale).new_page()
    sign_in(staff, base, "Sami Salonen", staff=True, locale=locale)
    staff.goto(base + "/staff/consents/new")
    check_page(staff, f"consent-new-by-hetu-{locale}")
    staff.fill("#hetu", "150385-9014")
    with staff.expect_navigation():
        staff.locator("main form button[type=submit]").click()
    assert staff.title().startswith(("Virhe: ", "Fel: "))
    check_page(staff, f"consent-new-by-hetu-errors-{locale}")
    staff.fill("#hetu", "010190-999W")
    staff.locator("input[name=template]").first.check()
    with staff.expect_navigation():
        staff.locator("main form button[type=submit]").click()
    check_page(staff, f"consent-new-by-hetu-check-{locale}")
    assert "010190-999W" in staff.locator("main").inner_text()
    # The other language from the check: the request comes back typed, in that language.
    other = "sv" if locale == "fi" else "fi"
    with staff.expect_navigation():
        staff.locator(f"a[hreflang={other}]").click()
    assert staff.locator("html").get_attribute("lang") == other
    assert staff.input_value("#hetu") == "010190-999W"
    with staff.expect_navigation():
        staff.locator("main form button[type=submit]").click()
    with staff.expect_navigation():
        staff.locator("main form button[type=submit]").first.click()
    assert staff.locator("[data-announce]").count() == 1
    staff.goto(base + "/staff/consents")
    check_page(staff, f"consent-staff-list-{locale}")
    staff.goto(base + "/staff/consents/verify")
    check_page(staff, f"consent-staff-verify-{locale}")

    young = db.scalars(
        select(ConsentRequest).where(ConsentRequest.client_id == demo["client_young"].id)
    ).one()
    phone = new_context(browser, PHONE, locale).new_page()
    sign_in(phone, base, "Veeti Šalin", staff=False, locale=locale)
    phone.goto(f"{base}/consents/{young.id}")
    check_page(phone, f"consent-sign-page-young-{locale}")
    # A second tab keeps the request open while the first one declines it.
    stale = phone.context.new_page()
    stale.goto(f"{base}/consents/{young.id}")
    phone.goto(f"{base}/consents/{young.id}/decline")
    check_page(phone, f"consent-decline-{locale}")
    with phone.expect_navigation():
        phone.locator("main form button[type=submit]").click()
    check_page(phone, f"consent-declined-{locale}")
    with stale.expect_navigation():
        stale.get_by_role("button", name=case["sign"]).click()
    assert case["refused"] in stale.locator("h1").inner_text()
    check_page(stale, f"consent-refused-{locale}")
    staff.goto(f"{base}/staff/consents/requests/{young.id}")
    check_page(staff, f"consent-staff-request-declined-{locale}")
    for page in (phone, staff):
        page.context.close()
