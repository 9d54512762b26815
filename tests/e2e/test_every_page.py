"""Every page a demo person reaches by following links fits a 320 px screen and passes axe.

The journeys' own tests visit their pages at 360 px and 1280 px; this walk also reaches the pages
no journey test opens at the narrowest width (the staff's lists and panels with the demo data in them).
"""

import re
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest

from tests.e2e.conftest import check_page, new_context, sign_in_as

NARROW = {"width": 320, "height": 640}
# Files, the sign-out, the language switch and the development mailbox are no pages to walk.
NOT_PAGES = re.compile(r"/sign-out|/language/|/dev/|/static/|\.(pdf|ics|zip|json)$|/receipt|/export|/fhir")


# The words of the page's headings that the browser had to cut across two lines (a break at a hyphen
# or a dash is no cut).
CUT_HEADING_WORDS = """() => {
  const cut = [];
  for (const heading of document.querySelectorAll("h1, h2")) {
    const texts = document.createTreeWalker(heading, NodeFilter.SHOW_TEXT);
    for (let node = texts.nextNode(); node; node = texts.nextNode()) {
      for (const word of node.data.matchAll(/[^\\s\\-\u2013\\/]+/g)) {
        const range = document.createRange();
        range.setStart(node, word.index);
        range.setEnd(node, word.index + word[0].length);
        const boxes = [...range.getClientRects()].filter(r => r.width > 0);
        const lines = new Set(boxes.map(r => Math.round(r.top)));
        if (lines.size > 1) cut.push(word[0]);
      }
    }
  }
  return cut;
}"""
# The captions of tables wider than the screen whose text runs out of the table's scrolling box.
CUT_CAPTIONS = """() => [...document.querySelectorAll(".table-wrap caption")]
  .filter(c => c.getBoundingClientRect().right > c.closest(".table-wrap").getBoundingClientRect().right + 1)
  .map(c => c.textContent.trim())"""
# Compound words up to this long fit a 320 px screen's headings whole (in the test browser's wide
# fallback font, so with room to spare on a phone); longer ones need the browser's hyphenation.
WHOLE_WORD_LETTERS = 18


def same_kind(path: str) -> str:
    """One visit per kind of page: /staff/clients/7 stands for every client's overview."""
    return re.sub(r"/\d+", "/N", path)


@pytest.mark.parametrize(
    ("person", "staff", "locale", "at_least"),
    [
        ("Maija Meikäläinen", False, "fi", 20),
        ("Anna-Lena Björkqvist", False, "sv", 20),
        ("Riikka Rantanen", True, "fi", 24),
        ("Sami Salonen", True, "sv", 22),  # not the answers, which are the advisers'
        # The main user's pages: the front page and the accessibility feedback, with the demo's.
        ("Polku Admin", True, "sv", 8),
    ],
)
def test_every_linked_page_fits_a_320px_screen(
    browser, live_server, app, db, person, staff, locale, at_least
):
    from portal.demo import load_demo

    with app.app_context():
        load_demo(db)
    page = new_context(browser, NARROW, locale).new_page()
    sign_in_as(page, live_server.url, person, staff=staff)
    host = urlsplit(live_server.url).netloc
    to_visit, visited = [page.url], set()
    while to_visit:
        url = to_visit.pop(0)
        parts = urlsplit(url)
        kind = same_kind(parts.path)
        if kind in visited:
            continue
        visited.add(kind)
        response = page.goto(url)
        assert response is not None
        assert response.status == 200, f"{url} answered {response.status}"
        assert page.locator("html").get_attribute("lang") == locale
        check_page(page, f"every-page-{locale}{kind.replace('/', '-')}")
        cut = [word for word in page.evaluate(CUT_HEADING_WORDS) if len(word) <= WHOLE_WORD_LETTERS]
        assert cut == [], f"{url} cuts heading words at 320px: {cut}"
        assert page.evaluate(CUT_CAPTIONS) == [], f"{url} cuts a table's caption at 320px"
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
            target, _ = urldefrag(urljoin(url, href))
            if urlsplit(target).netloc == host and not NOT_PAGES.search(urlsplit(target).path):
                to_visit.append(target)
    # The walk reached the pages behind the main menu, not only the first one.
    assert len(visited) >= at_least, sorted(visited)
    page.context.close()
