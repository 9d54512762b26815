"""Browser tests: Debian's Chromium driven by Playwright, axe-core on every page visited."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
WIDTHS = {"phone": PHONE, "desktop": DESKTOP}

# The flags keep Chromium from reaching for Google's services on a closed network.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

_axe = Axe()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


def chromium_path() -> str:
    path = os.environ.get("PORTAL_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail(
            "Chromium is needed for the browser tests: apt-get install chromium (make test does it as root)."
        )
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def new_context(browser: Browser, viewport: dict[str, int], locale: str = "fi") -> BrowserContext:
    return browser.new_context(viewport=viewport, locale=f"{locale}-FI", java_script_enabled=True)


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = new_context(browser, PHONE)
    yield context.new_page()
    context.close()


def check_page(page: Page, name: str, *, error_page: bool = False) -> None:
    """What every visited page must pass: axe, no sideways scrolling, a screenshot for people to look at."""
    shown_error = page.evaluate("document.body.dataset.errorPage || null")
    if not error_page:
        assert shown_error is None, f"{page.url} shows an error page ({shown_error})"
    results = _axe.run(page)
    violations = results.response["violations"]
    summary = [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
    ]
    assert violations == [] or not summary, f"axe on {page.url}:\n" + "\n".join(summary)
    width = page.viewport_size["width"] if page.viewport_size else 0
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at {width}px"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^\w.-]+", "_", name)
    page.screenshot(path=str(ARTIFACTS / f"{safe}-{width}.png"), full_page=True)


def sign_in_as(
    page: Page, base_url: str, person_name: str, *, staff: bool = False, check: bool = False
) -> None:
    """Sign in through the development provider's chooser, as a person would (the language stays)."""
    page.goto(base_url + "/sign-in")
    if check:
        check_page(page, "sign-in")
    buttons = page.locator("form button[type=submit]")
    with page.expect_navigation():
        buttons.nth(1 if staff else 0).click()
    if check:
        check_page(page, "dev-idp-" + ("staff" if staff else "client"))
    page.get_by_label(person_name, exact=False).check()
    with page.expect_navigation():
        page.locator("form button[type=submit]").first.click()
