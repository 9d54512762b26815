"""Message templates: both languages for every message, a link, and nothing that identifies a person."""

import re
import shutil
from datetime import timedelta

import pytest
from jinja2 import UndefinedError

from portal.notifications.render import (
    TEMPLATE_PARAMS,
    TEMPLATES_DIR,
    MissingTemplate,
    Renderer,
    UnsafeMessage,
)
from portal.services.outbox import backoff, describe_error

HETU = re.compile(r"\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]")
BASE_URL = "https://polku.example"
FOOTER = {"fi": "lähetetty automaattisesti", "sv": "skickats automatiskt"}


def params_for(template_key):
    params = {"path": f"/{template_key}/17"}
    if "starts_at" in TEMPLATE_PARAMS[template_key]:
        params["starts_at"] = "2026-11-28T12:30:00+00:00"
    return params


@pytest.mark.parametrize("locale", ["fi", "sv"])
@pytest.mark.parametrize("template_key", sorted(TEMPLATE_PARAMS))
def test_every_message_renders_in_both_languages_with_a_link_and_no_hetu(template_key, locale):
    renderer = Renderer(BASE_URL + "/")
    link = f"{BASE_URL}/{template_key}/17"

    email = renderer.email(template_key, locale, params_for(template_key))
    sms = renderer.sms(template_key, locale, params_for(template_key))

    assert email.subject
    assert "Subject:" not in email.text
    for text in (email.text, email.html, sms):
        assert link in text
        assert not HETU.search(text)
    assert f'href="{link}"' in email.html
    assert f'<html lang="{locale}">' in email.html
    assert FOOTER[locale] in email.text
    assert FOOTER[locale] in email.html
    assert len(sms) <= 320


def test_appointment_times_are_shown_in_helsinki_time_across_daylight_saving():
    renderer = Renderer(BASE_URL)

    before = renderer.sms("booking_reminder", "fi", {"path": "/b", "starts_at": "2026-03-28T10:00:00+00:00"})
    after = renderer.sms("booking_reminder", "sv", {"path": "/b", "starts_at": "2026-03-29T10:00:00+00:00"})
    email = renderer.email("booking_reminder", "fi", {"path": "/b", "starts_at": "2026-10-25T10:00:00+00:00"})

    assert "28.3.2026 klo 12.00" in before
    assert "29.3.2026 kl. 13.00" in after
    assert "sunnuntai 25.10.2026 klo 12.00" in email.text


def test_html_email_escapes_what_it_is_given():
    renderer = Renderer(BASE_URL)

    email = renderer.email("pathway_updated", "fi", {"path": '/x"><script>alert(1)</script>'})

    assert "<script>" not in email.html
    assert "&lt;script&gt;" in email.html


def test_a_message_that_would_carry_a_hetu_is_refused():
    with pytest.raises(UnsafeMessage):
        Renderer(BASE_URL).sms("consent_requested", "fi", {"path": "/clients/131052-308T"})


def test_a_missing_value_stops_the_message():
    with pytest.raises(UndefinedError, match="undefined"):
        Renderer(BASE_URL).email("booking_confirmed", "fi", {"path": "/b"})


@pytest.mark.parametrize("channel", ["email", "sms"])
def test_a_missing_language_file_is_refused(tmp_path, channel):
    for folder in ("emails", "sms"):
        shutil.copytree(TEMPLATES_DIR / folder, tmp_path / folder)
    suffix = "html" if channel == "email" else "txt"
    (tmp_path / ("emails" if channel == "email" else "sms") / f"consent_revoked.sv.{suffix}").unlink()
    renderer = Renderer(BASE_URL, templates_dir=tmp_path)
    render = renderer.email if channel == "email" else renderer.sms

    assert render("consent_revoked", "fi", {"path": "/consents"})
    with pytest.raises(MissingTemplate, match=r"consent_revoked\.sv"):
        render("consent_revoked", "sv", {"path": "/consents"})


def test_an_unknown_language_is_refused():
    with pytest.raises(MissingTemplate):
        Renderer(BASE_URL).email("consent_requested", "en", {"path": "/consents"})


def test_retries_wait_twice_as_long_each_time_up_to_a_cap():
    assert [backoff(attempts) for attempts in (1, 2, 3, 4)] == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
        timedelta(minutes=8),
    ]
    assert backoff(500) == timedelta(hours=6)


def test_errors_are_described_without_what_the_server_said():
    import smtplib

    refused = smtplib.SMTPRecipientsRefused({"asiakas@example.fi": (550, b"asiakas@example.fi unknown")})

    assert describe_error(refused) == "SMTPRecipientsRefused 550"
    assert describe_error(smtplib.SMTPDataError(451, b"try later")) == "SMTPDataError 451"
    assert describe_error(ConnectionRefusedError(111, "refused")) == "ConnectionRefusedError"


@pytest.mark.parametrize(
    ("locale", "said"),
    [("fi", "Polkusi on päivitetty Polku-palvelussa"), ("sv", "Din stig i Polku har uppdaterats")],
)
def test_a_pathway_message_calls_the_pathway_by_the_name_the_pages_use(locale, said):
    renderer = Renderer(BASE_URL + "/")
    email = renderer.email("pathway_updated", locale, params_for("pathway_updated"))
    assert email.subject.startswith(said)
    assert said in email.html
    assert renderer.sms("pathway_updated", locale, params_for("pathway_updated")).startswith(said)
