"""The stylesheet and script are addressed by their content's version and kept by the browser."""

from __future__ import annotations

import re


def test_the_stylesheet_and_script_are_kept_a_year_at_their_versioned_address(client):
    page = client.get("/").get_data(as_text=True)
    addresses = re.findall(r'"(/static/polku\.(?:css|js)\?v=[0-9a-f]{12})"', page)
    assert len(addresses) == 2, "both asked for by their version"
    for address in addresses:
        kept = client.get(address)
        assert kept.status_code == 200
        assert kept.headers["Cache-Control"] == "public, max-age=31536000"
        unversioned = client.get(address.split("?")[0])
        assert unversioned.headers["Cache-Control"] == "no-cache", "asked again when not by version"
        # An address of an older version is never kept: it may be answered with newer content.
        older = client.get(address.split("?")[0] + "?v=000000000000")
        assert older.headers["Cache-Control"] == "no-cache"
