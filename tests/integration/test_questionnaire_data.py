"""Answers at rest, in FHIR, in the client's data download, and the demo questionnaires."""

from __future__ import annotations

import re
from pathlib import Path

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.questionnaire import Questionnaire as FhirQuestionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse as FhirResponse
from sqlalchemy import inspect, make_url, select, text

from portal.content.questionnaires import latest
from portal.fhir import questionnaire_to_fhir
from portal.models import QuestionnaireResponse
from portal.services import questionnaire as service
from portal.services.questionnaire import demo_questionnaires
from tests.conftest import csrf_token_from, login_as
from tests.integration.questionnaire_helpers import ALL_PAGES, assign, put_answers, submitted

MARKER = "Salainen vastaus Åäö 7311"
NOTE_MARKER = "Yksityinen muistiinpano Öå 5521"


def everything_stored(app, database_url: str) -> bytes:
    """The raw database: the SQLite file and its write-ahead log, or every PostgreSQL table as text."""
    engine = app.extensions["polku.engine"]
    if engine.dialect.name == "sqlite":
        path = Path(make_url(database_url).database or "")
        return b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists())
    chunks = []
    with engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            # The table names come from the database's own catalogue.
            query = text(f'SELECT CAST(t AS text) FROM "{table}" AS t')  # noqa: S608
            rows = connection.execute(query).scalars()
            chunks.extend(row.encode() for row in rows)
    return b"\n".join(chunks)


def appears(raw: bytes, secret: str) -> bool:
    encoded = secret.encode()
    return encoded in raw or encoded.hex().encode() in raw or secret.encode("utf-16-le") in raw


def test_answers_and_notes_are_never_stored_in_clear(app, db, demo, client, database_url):
    response = assign(app, db, demo["client_fi"], demo["adviser"])
    put_answers(app, db, response, {**ALL_PAGES, "current_services": ["social_work"]}, page="_check")
    login_as(app, client, demo["client_fi"])
    page = client.get(f"/questionnaires/{response.id}/pages/final_words").get_data(as_text=True)
    version = re.search(r'name="answers_version" type="hidden" value="(\d+)"', page)[1]
    saved = client.post(
        f"/questionnaires/{response.id}/pages/final_words",
        data={"csrf_token": csrf_token_from(page), "answers_version": version, "anything_else": MARKER},
    )
    assert saved.status_code == 302
    check = client.get(f"/questionnaires/{response.id}/check").get_data(as_text=True)
    assert MARKER in check
    version = re.search(r'name="answers_version" type="hidden" value="(\d+)"', check)[1]
    client.post(
        f"/questionnaires/{response.id}/submit",
        data={"csrf_token": csrf_token_from(check), "answers_version": version},
    )
    adviser = app.test_client()
    login_as(app, adviser, demo["adviser"])
    review = adviser.get(f"/staff/questionnaires/{response.id}").get_data(as_text=True)
    assert MARKER in review
    adviser.post(
        f"/staff/questionnaires/{response.id}/notes",
        data={"csrf_token": csrf_token_from(review), "text": NOTE_MARKER},
    )
    assert NOTE_MARKER in adviser.get(f"/staff/questionnaires/{response.id}").get_data(as_text=True)

    raw = everything_stored(app, database_url)
    assert raw, "nothing was read from the database"
    for secret in (MARKER, NOTE_MARKER, "Arabia", "arabia"):
        assert not appears(raw, secret), secret
    # The answer is there, sealed: the wrong context (another response's id) cannot open it.
    db.expire_all()
    sealed = db.get(QuestionnaireResponse, response.id).content_encrypted
    with app.app_context():
        from portal import crypto

        assert MARKER in crypto.decrypt(sealed, f"questionnaire.response.{response.id}")
        try:
            crypto.decrypt(sealed, f"questionnaire.response.{response.id + 1}")
        except crypto.DecryptionFailed:
            pass
        else:
            raise AssertionError("a sealed answer opened under another response's context")


def test_the_shipped_questionnaire_exports_as_a_valid_fhir_questionnaire_with_enable_when():
    for locale in ("fi", "sv"):
        resource = FhirQuestionnaire.model_validate(
            questionnaire_to_fhir(latest("kela_pre_interview"), locale)
        )
        pages = [page for section in resource.item for page in section.item]
        conditional = {page.linkId for page in pages if page.enableWhen}
        assert {"work_activity", "treatment_place", "getting_treatment", "interpreting"} <= conditional


def test_a_response_exports_as_a_valid_fhir_bundle(app, db, demo):
    response = submitted(app, db, demo["client_sv"], demo["adviser"], {**ALL_PAGES, "anything_else": "Tack!"})
    with app.app_context():
        bundle = Bundle.model_validate(service.fhir_bundle(response, "sv"))
    definition, answers = (entry.resource for entry in bundle.entry)
    assert isinstance(answers, FhirResponse)
    assert answers.questionnaire == f"{definition.url}|{definition.version}"
    link_ids = {item.linkId for section in answers.item for page in section.item for item in page.item}
    assert {"anything_else", "interpreter_language", "b_statement"} <= link_ids


def test_the_clients_data_download_has_answers_and_fhir(app, db, demo):
    sent = submitted(app, db, demo["client_fi"], demo["adviser"], ALL_PAGES)
    open_one = assign(app, db, demo["client_fi"], demo["adviser"])
    put_answers(app, db, open_one, {"current_situation": ["studying"]})
    with app.app_context():
        exported = service.export_for_client(db, demo["client_fi"])
    assert [entry["status"] for entry in exported] == ["draft", "submitted"]
    draft, done = exported
    assert draft["answers"] == {"current_situation": ["studying"]}
    assert FhirResponse.model_validate(draft["fhir"]).status == "in-progress"
    assert done["answers"]["interpreter_language"] == "arabia"
    assert done["submitted_at"] == sent.submitted_at.isoformat()
    assert FhirResponse.model_validate(done["fhir"]).status == "completed"
    assert "notes" not in done


def test_the_demo_gives_questionnaires_to_the_demo_clients_once(app, db, demo):
    with app.app_context():
        assert demo_questionnaires(db) == "3 questionnaires"
        assert demo_questionnaires(db) == "0 questionnaires"
    rows = db.scalars(select(QuestionnaireResponse).order_by(QuestionnaireResponse.id)).all()
    by_client = {row.client_id: row for row in rows}
    assert by_client[demo["client_fi"].id].status == "draft"
    assert by_client[demo["client_sv"].id].status == "draft"
    young = by_client[demo["client_young"].id]
    assert young.status == "submitted"
    assert young.interview_at is None, "no date without a booked interview (the demo books none)"
    # The demo adviser sees the sent answers in the queue.
    browser = app.test_client()
    login_as(app, browser, demo["adviser"])
    assert f"/staff/questionnaires/{young.id}" in browser.get("/staff/questionnaires").get_data(as_text=True)
