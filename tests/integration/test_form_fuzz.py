"""Random text, Unicode and oversized values in every field of the portal's forms: never a server error,
never markup echoed back unescaped. (The questionnaire pages have fuzz tests of their own.)"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.services.audit import SYSTEM
from portal.services.clients import assign
from tests.conftest import login_as

MARKUP = "<script>alert(1)</script>"


class Forms(HTMLParser):
    """The POST forms on a page: their action and field names (hidden ones with their values)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        values = dict(attrs)
        if tag == "form" and values.get("method", "get").lower() == "post":
            self.forms.append({"action": values.get("action"), "fields": {}, "hidden": {}})
        elif self.forms and tag in ("input", "textarea", "select") and values.get("name"):
            kind = values.get("type", "text")
            if kind == "hidden":
                self.forms[-1]["hidden"][values["name"]] = values.get("value", "")
            elif kind not in ("submit", "button"):
                self.forms[-1]["fields"].setdefault(values["name"], []).append(values.get("value"))


def forms_on(html: str) -> list[dict]:
    parser = Forms()
    parser.feed(html)
    return [form for form in parser.forms if form["fields"]]


PAGES = [
    ("anonymous", "/accessibility/feedback"),
    ("client", "/my-data/contact"),
    ("staff", "/staff/clients/find"),
    ("staff", "/staff/clients/{client}"),
    ("adviser", "/staff/clients/{client}"),
    ("adviser", "/staff/clients/{client}/pathway"),
    ("staff", "/staff/consents/new"),
    ("adviser", "/staff/schedule/publish"),
]

text = st.one_of(
    st.text(max_size=60),
    st.text(alphabet="åäöÅÄÖšžéü€ -", min_size=1, max_size=30),
    st.just(MARKUP),
    st.just("Ää" * 3000),
    st.sampled_from(["", " ", "0", "-1", "99999999999", "2026-02-30", "\x00", "\u202e", "../../etc/passwd"]),
)


@pytest.fixture
def browsers(app, db, demo):
    with app.app_context():
        assign(db, SYSTEM, demo["client_fi"], demo["adviser"])
        assign(db, SYSTEM, demo["client_fi"], demo["staff"])
    found = {"anonymous": app.test_client()}
    for role, key in (("client", "client_fi"), ("staff", "staff"), ("adviser", "adviser")):
        found[role] = app.test_client()
        login_as(app, found[role], demo[key])
    return found


@pytest.mark.parametrize(("role", "path"), PAGES)
@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": False}], indirect=True)
def test_fuzzed_forms_never_fail_or_echo_markup(browsers, demo, role, path):
    browser = browsers[role]
    url = path.format(client=demo["client_fi"].id)
    page = browser.get(url)
    assert page.status_code == 200, url
    forms = forms_on(page.get_data(as_text=True))
    assert forms, f"no form on {url}"

    @settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(data=st.data())
    def post_random(data: st.DataObject) -> None:
        for form in forms:
            values = dict(form["hidden"])
            for name, options in form["fields"].items():
                choices = [option for option in options if option]
                values[name] = data.draw(st.one_of(text, st.sampled_from(choices)) if choices else text)
            response = browser.post(form["action"] or url, data=values)
            assert response.status_code < 500, (form["action"], values)
            assert MARKUP not in response.get_data(as_text=True)

    post_random()
