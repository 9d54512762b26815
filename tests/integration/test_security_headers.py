"""Security headers on every response."""

import re

import pytest

PUBLIC_PAGES = ["/", "/accessibility", "/privacy", "/contact", "/accessibility/feedback", "/sign-in"]


@pytest.mark.parametrize("url", [*PUBLIC_PAGES, "/no-such-page"])
def test_every_page_has_a_strict_content_security_policy(client, url):
    response = client.get(url)
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    for directive in ["object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "default-src 'self'"]:
        assert directive in csp
    assert re.search(r"script-src 'self' 'nonce-[\w-]{20,}'", csp)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"


def test_the_nonce_is_new_for_every_response(client):
    first = client.get("/").headers["Content-Security-Policy"]
    second = client.get("/").headers["Content-Security-Policy"]
    assert first != second


def test_hsts_is_sent_over_https_only(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", base_url="https://polku.example")
    max_age = int(re.search(r"max-age=(\d+)", secure.headers["Strict-Transport-Security"]).group(1))
    assert max_age >= 365 * 24 * 3600


def test_pages_carry_no_inline_script_or_style(client):
    for url in PUBLIC_PAGES:
        page = client.get(url).get_data(as_text=True)
        assert " style=" not in page
        assert "<style" not in page
        assert re.search(r"<script(?![^>]*\bnonce=)", page) is None
