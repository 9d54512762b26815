"""The pages the benchmarks measure (what to request, as whom) and a browser that posts their forms."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Protocol

COOKIE = "polku_session"


@dataclass(frozen=True)
class Page:
    name: str
    url: str
    role: str  # "client" or "adviser": whose session cookie is sent
    method: str = "GET"
    form: dict[str, str] = field(default_factory=dict)
    client_page: bool = True  # weighed against the 50 KB budget of client pages
    # A hidden field the page's form carries back, raised by one after every successful save.
    version_field: str | None = None

    @property
    def label(self) -> str:
        return f"{self.name} (POST)" if self.method == "POST" else self.name


def pages(facts: dict[str, Any]) -> list[Page]:
    questionnaire_page = f"/questionnaires/{facts['response_id']}/pages/now"
    return [
        Page("client home", "/home", "client"),
        Page("pathway", "/pathway", "client"),
        Page("questionnaire page", questionnaire_page, "client"),
        Page(
            "questionnaire page",
            questionnaire_page,
            "client",
            method="POST",
            form={"current_situation": "unemployed", "action": "continue"},
            version_field="answers_version",
        ),
        Page("booking day list", f"/appointments/book/{facts['booking_type']}", "client"),
        Page("adviser queue", "/staff/questionnaires", "adviser", client_page=False),
        Page("adviser my clients", "/staff/clients", "adviser", client_page=False),
        Page(
            "client overview", f"/staff/clients/{facts['overview_client_id']}", "adviser", client_page=False
        ),
    ]


def hidden_value(html: str, name: str) -> str:
    """The value of the first hidden input with this name (attributes in any order)."""
    for tag in re.findall(r"<input\b[^>]*>", html):
        if f'name="{name}"' in tag and 'type="hidden"' in tag:
            found = re.search(r'value="([^"]*)"', tag)
            return found.group(1) if found else ""
    return ""


class Transport(Protocol):
    """What a Browser needs: GET and POST returning (status, body); requests or the Flask test client."""

    def get(self, url: str) -> tuple[int, str]: ...

    def post(self, url: str, data: dict[str, str]) -> tuple[int, str]: ...


class Browser:
    """Requests one page as a browser does; a form page is loaded once and then posted again and again.

    A saved questionnaire page raises the draft's version by one, so each following post carries
    the next version, exactly as the page shown after the save would.
    """

    def __init__(self, page: Page, transport: Transport) -> None:
        self.page = page
        self.transport = transport
        self.fields: dict[str, str] | None = None

    def load_form(self) -> None:
        _status, html = self.transport.get(self.page.url)
        self.fields = {"csrf_token": hidden_value(html, "csrf_token")}
        if self.page.version_field:
            self.fields[self.page.version_field] = hidden_value(html, self.page.version_field)

    def send(self) -> tuple[int, str]:
        if self.page.method == "GET":
            return self.transport.get(self.page.url)
        if self.fields is None:
            self.load_form()
        assert self.fields is not None
        status, body = self.transport.post(self.page.url, {**self.fields, **self.page.form})
        if status == 302 and self.page.version_field:
            self.fields[self.page.version_field] = str(int(self.fields[self.page.version_field]) + 1)
        elif status != 302:
            self.fields = None  # load the form again before the next post
        return status, body


class RequestsTransport:
    def __init__(self, base: str, token: str, session: Any = None) -> None:
        import requests

        self.base = base
        self.session = session or requests.Session()
        self.session.cookies.set(COOKIE, token)

    def get(self, url: str) -> tuple[int, str]:
        response = self.session.get(self.base + url, allow_redirects=False, timeout=60)
        return response.status_code, response.text

    def post(self, url: str, data: dict[str, str]) -> tuple[int, str]:
        response = self.session.post(self.base + url, data=data, allow_redirects=False, timeout=60)
        return response.status_code, response.text


class FlaskClientTransport:
    def __init__(self, client: Any, token: str) -> None:
        self.client = client
        self.client.set_cookie(COOKIE, token)

    def get(self, url: str) -> tuple[int, str]:
        response = self.client.get(url)
        return response.status_code, response.get_data(as_text=True)

    def post(self, url: str, data: dict[str, str]) -> tuple[int, str]:
        response = self.client.post(url, data=data)
        return response.status_code, response.get_data(as_text=True)
