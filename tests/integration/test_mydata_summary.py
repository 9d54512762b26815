"""The data download's readable summary: every key in words, times in Helsinki, no codes or identifiers."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import datetime
from html import unescape
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from portal.demo import load_demo
from portal.models import Slot
from portal.services.audit import Actor, record_access_now
from portal.views.mydata_fields import FIELDS
from portal.views.mydata_summary import summarise
from tests.conftest import csrf_token_from, post_form, signed_in
from tests.integration.booking_support import book_as_client, bookings, may_book, post_with_token
from tests.integration.consent_helpers import issue, sign
from tests.integration.questionnaire_helpers import ALL_PAGES, submitted

TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"
ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}")
TAG = re.compile(r"<[^>]+>")
LABELS = re.compile(r"<(?:dt|h[1-6])>(.*?)</(?:dt|h[1-6])>", re.S)


def a_full_history(app, db, demo) -> Any:
    """Maija with something in every section: the demo's pathway, a signed and a declined consent,
    sent answers, a cancelled and a booked appointment, and professionals' views of her data."""
    with app.app_context():
        load_demo(db)
    maija = signed_in(app, demo["client_fi"])
    sign(maija, issue(app, db, demo["staff"], demo["client_fi"], message="Hei Maija"))
    declined = issue(app, db, demo["staff"], demo["client_fi"])
    post_form(maija, f"/consents/{declined}/decline", {"reason": "En halua nyt."})
    submitted(app, db, demo["client_fi"], demo["adviser"], ALL_PAGES)
    adviser_times = select(Slot.id).where(Slot.adviser_id == demo["adviser"].id).order_by(Slot.starts_at)
    free = db.scalars(adviser_times).all()
    may_book(app, db, demo["client_fi"], demo["adviser"])
    assert book_as_client(maija, free[3]).status_code == 302
    cancelled = bookings(db)[-1].id
    post_with_token(maija, f"/appointments/{cancelled}/cancel", f"/appointments/{cancelled}/cancel")
    assert book_as_client(maija, free[5], modality="in_person").status_code == 302
    adviser = signed_in(app, demo["adviser"])
    adviser.get(f"/staff/clients/{demo['client_fi'].id}")
    adviser.get("/staff/clients")
    with app.app_context():  # as the sign-in's callback writes it
        record_access_now(db, actor=Actor(id=demo["client_fi"].id, role="client"), action="sign-in",
                          object_type="session", client_id=demo["client_fi"].id)  # fmt: skip
    return maija


def download(browser, locale: str) -> tuple[dict[str, Any], str]:
    browser.set_cookie("polku_lang", locale)
    token = csrf_token_from(browser.get("/my-data").get_data(as_text=True))
    archive = zipfile.ZipFile(io.BytesIO(browser.post("/my-data/download", data={"csrf_token": token}).data))
    stem = {"fi": "polku-tiedot", "sv": "polku-uppgifter"}[locale]  # named in the client's language
    assert sorted(archive.namelist()) == [f"{stem}.html", f"{stem}.json"]
    summary = archive.read(f"{stem}.html").decode()
    assert f"{stem}.json" in summary, "the summary names the file beside it"
    return json.loads(archive.read(f"{stem}.json")), summary


def keys_of(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {key for item in value.values() for key in keys_of(item)}
    if isinstance(value, list):
        return {key for item in value for key in keys_of(item)}
    return set()


def shown_labels(page: str) -> list[str]:
    return [unescape(TAG.sub("", label)).strip() for label in LABELS.findall(page)]


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("fi", ["Henkilötunnus", "Sähköpostilla", "Allekirjoitettu, voimassa", "Syy, jonka kerroit",
                "Peruttu", "Kuka perui", "Sinä", "Ammattilaisen varaama", "Ei", "Kyllä", "(nimesi listassa)",
                "Neuvoja, Kela", "Polkusi alkoi.", "Vastauksesi", "Olen työtön työnhakija", "korotettu",
                "Kirjauduit Polkuun", "Sinulle lähetettiin kysely vastattavaksi", "Katsottu: Oma polku"]),
        ("sv", ["Personbeteckning", "Per e-post", "Undertecknat, giltigt", "Orsaken som du angav",
                "Avbokad", "Avbokad av", "Du", "Bokad av en yrkesperson", "Nej", "Ja",
                "(ditt namn på en lista)",
                "Rådgivare, FPA", "Din stig började.", "Dina svar", "väsentlig",
                "Du loggade in i Polku", "Du fick ett frågeformulär att svara på", "Öppnat: Din stig"]),
    ],
)  # fmt: skip
def test_the_summary_reads_in_the_downloads_language_with_no_keys_codes_or_utc_times(
    app, db, demo, locale, expected
):
    data, page = download(a_full_history(app, db, demo), locale)
    assert all(data[section] for section in data), "the history fills every section"
    labels = shown_labels(page)
    english = keys_of(data) - keys_of(data["questionnaires"][0]["answers"])
    assert [label for label in labels if label in english] == []
    assert not ISO_TIME.search(page), ISO_TIME.search(page)
    text = unescape(TAG.sub(" ", page))
    for word in ("True", "False", "None", "self-service", "signed", "rehabilitation_interview", "in_person",
                 "sign-in", "session"):  # fmt: skip
        assert not re.search(rf"\b{word}\b", text), word
    for expected_text in expected:
        assert expected_text in text, expected_text
    # Times in Helsinki, as the appointment pages show them.
    booked = next(r for r in data["bookings"] if r.get("status") == "booked")
    starts = datetime.fromisoformat(booked["starts_at"]).astimezone(ZoneInfo("Europe/Helsinki"))
    assert f"{starts:%-d.%-m.%Y} " in text
    assert f" {starts.hour}.{starts:%M}–" in text
    # Identifiers and fingerprints stay in the JSON only.
    signature = next(c["signature"] for c in data["consents"] if c["signature"])
    for technical in (signature["text_sha256"], signature["seal"], "polku-questionnaire-response"):
        assert technical not in page
    code = signature["verification_code"]
    assert f"{code[:4]}-{code[4:8]}-{code[8:]}" in text
    assert data["profile"]["personal_identity_code"] in text, "what the person is entitled to see stays"


def test_every_key_of_a_full_export_has_a_label_in_finnish_and_swedish(app, db, demo):
    data, _page = download(a_full_history(app, db, demo), "fi")
    with app.test_request_context():
        summary = summarise(data, dict.fromkeys(data, ""))
    assert summary.unlabelled == ()
    # Read outside a request, a label is its msgid.
    labels = {str(field.label) for fields in FIELDS.values() for field in fields.values() if field}
    for locale in ("fi", "sv"):
        with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as po:
            translated = {message.id: message.string for message in read_po(po, locale=locale) if message.id}
        assert sorted(label for label in labels if not translated.get(label)) == [], locale


def test_a_key_added_without_a_label_is_reported_and_still_shown(app):
    event = {"date": "2026-11-20", "kind": "started", "step": "referral", "note": None, "mood": "-"}
    sections = {
        "profile": {"name": "Maija", "shoe_size": 38},
        "pathways": [
            {
                "pathway": "Polku",
                "events": [event],
            }
        ],
    }
    with app.test_request_context():
        summary = summarise(sections, {"profile": "Perustietosi", "pathways": "Polkusi"})
    assert summary.unlabelled == ("profile.shoe_size", "pathways.events.mood")
    rows = [(row.label, row.text) for row in summary.parts[0].entries[0].rows]
    assert ("shoe_size", "38") in rows, "nothing disappears from the summary for want of a label"


def test_a_pathway_begins_in_the_download_on_the_day_its_history_begins(app, db, demo):
    data, _page = download(a_full_history(app, db, demo), "fi")
    (pathway,) = data["pathways"]
    assert pathway["started"] == pathway["events"][0]["date"], "not the day the record was made"
