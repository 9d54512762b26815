"""Driving a real sign-in over HTTP, as a browser would, against the development provider."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import requests

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)


@dataclass
class Journey:
    browser: requests.Session
    response: requests.Response

    @property
    def heading(self) -> str:
        match = H1.search(self.response.text)
        return match.group(1).strip() if match else ""


def csrf(browser: requests.Session, base: str, path: str = "/sign-in") -> str:
    match = CSRF.search(browser.get(base + path).text)
    assert match
    return match.group(1)


def start_sign_in(
    base: str, hint: str, browser: requests.Session | None = None
) -> tuple[requests.Session, str]:
    """Up to the provider's answer: returns the callback URL the provider sent the browser to."""
    browser = browser or requests.Session()
    provider = "staff" if "@" in hint else "ftn"
    response = browser.post(
        f"{base}/sign-in/{provider}",
        data={"csrf_token": csrf(browser, base), "login_hint": hint},
        allow_redirects=False,
    )
    assert response.status_code == 302, response.text[:500]
    at_provider = browser.get(response.headers["Location"], allow_redirects=False)
    assert at_provider.status_code == 302, at_provider.text[:500]
    return browser, at_provider.headers["Location"]


def sign_in(base: str, hint: str, browser: requests.Session | None = None) -> Journey:
    browser, callback = start_sign_in(base, hint, browser)
    return Journey(browser, browser.get(callback))


def query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}
