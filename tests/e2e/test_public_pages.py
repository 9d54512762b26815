"""The public pages in both languages, at phone and desktop widths, pass axe and never scroll sideways."""

import pytest

from tests.e2e.conftest import WIDTHS, check_page, new_context

PAGES = {
    "start": ("/", {"fi": "Kuntoutuspolkusi verkossa", "sv": "Din rehabiliteringsstig på nätet"}),
    "accessibility": ("/accessibility", {"fi": "Saavutettavuusseloste", "sv": "Tillgänglighetsutlåtande"}),
    "privacy": ("/privacy", {"fi": "Tietosuojaseloste", "sv": "Dataskyddsbeskrivning"}),
    "contact": ("/contact", {"fi": "Ota yhteyttä", "sv": "Kontakta oss"}),
    "feedback": ("/accessibility/feedback", {"fi": "Anna palautetta", "sv": "Ge respons"}),
    "sign-in": ("/sign-in", {"fi": "Kirjaudu sisään", "sv": "Logga in"}),
    "not-found": ("/ei-ole-olemassa", {"fi": "Sivua ei löytynyt", "sv": "Sidan hittades inte"}),
}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("locale", ["fi", "sv"])
def test_public_pages_pass_axe(browser, live_server, locale, width):
    context = new_context(browser, WIDTHS[width], locale)
    page = context.new_page()
    for name, (path, headings) in PAGES.items():
        page.goto(live_server.url + path)
        assert page.locator("html").get_attribute("lang") == locale
        assert page.locator("h1").inner_text() == headings[locale]
        check_page(page, f"public-{name}-{locale}", error_page=name == "not-found")
    context.close()


def test_pages_fit_a_320px_screen(browser, live_server):
    context = new_context(browser, {"width": 320, "height": 640})
    page = context.new_page()
    for path, _ in PAGES.values():
        page.goto(live_server.url + path)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways at 320px"
    context.close()


def test_the_language_switch_keeps_the_page(browser, live_server):
    context = new_context(browser, WIDTHS["phone"], "fi")
    page = context.new_page()
    page.goto(live_server.url + "/contact")
    page.get_by_role("link", name="På svenska").click()
    assert page.url == live_server.url + "/contact"
    assert page.locator("h1").inner_text() == "Kontakta oss"
    page.goto(live_server.url + "/privacy")
    assert page.locator("h1").inner_text() == "Dataskyddsbeskrivning"
    context.close()
