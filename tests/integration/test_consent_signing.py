"""The client signs a consent request: the evidence record, refusals, replays, declining and revoking."""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime, timedelta

import pytest
import requests
import time_machine
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from portal.content.consents import latest, rendered_text
from portal.i18n import local_date, today
from portal.models import (
    AccessLogEntry,
    ConsentEvent,
    ConsentRequest,
    ConsentSignature,
    ConsentStatus,
    OutboxMessage,
    UserSession,
)
from portal.services.consent import event_reason
from tests.conftest import csrf_token_from, login_as, post_form
from tests.integration.consent_helpers import (
    TYM,
    count,
    issue,
    request_row,
    shown_text,
    sign,
    sign_form,
    signatures,
    words,
)


@pytest.fixture
def fi_client(app, demo):
    browser = app.test_client()
    login_as(app, browser, demo["client_fi"])
    return browser


@pytest.fixture
def sv_client(app, demo):
    browser = app.test_client()
    browser.set_cookie("polku_lang", "sv")
    login_as(app, browser, demo["client_sv"])
    return browser


@pytest.mark.parametrize(("person", "locale"), [("client_fi", "fi"), ("client_sv", "sv")])
def test_the_evidence_keeps_the_hash_of_the_text_the_client_was_shown(app, db, demo, person, locale):
    request_id = issue(app, db, demo["staff"], demo[person])
    browser = app.test_client()
    browser.set_cookie("polku_lang", locale)
    login_as(app, browser, demo[person])
    page = browser.get(f"/consents/{request_id}").get_data(as_text=True)
    shown = shown_text(page)
    template = latest(TYM)
    canonical = rendered_text(template, locale)
    # The page shows the canonical text word for word, in the language the client reads.
    assert words(shown) == words(canonical)
    assert words(shown) != words(rendered_text(template, "sv" if locale == "fi" else "fi"))

    response = browser.post(
        f"/consents/{request_id}", data={**sign_form(page), "purposes": ["provider_contact"]}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/consents/{request_id}/signed"
    signature = db.scalars(select(ConsentSignature)).one()
    assert signature.locale == locale
    assert signature.text_sha256 == hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    assert signature.template_key == TYM
    assert signature.template_version == template.version
    assert signature.choices["purposes"] == [p.key for p in template.purposes]
    assert "questionnaire_answers" not in signature.choices["categories"]  # optional, left unticked
    assert signature.signer_hetu_hmac == demo[person].hetu_hash
    assert signature.provider == "ftn"
    assert signature.acr == "http://ftn.ficora.fi/2017/loa2"
    assert abs(signature.auth_time - datetime.now(UTC)) < timedelta(minutes=1)
    assert signature.ip == "127.0.0.1"
    assert signature.user_agent
    assert len(signature.verification_code) == 12
    assert signature.valid_until is not None
    assert request_row(db, request_id).status == ConsentStatus.SIGNED
    signed_log = db.scalars(select(AccessLogEntry).where(AccessLogEntry.action == "sign")).one()
    assert signed_log.client_id == demo[person].id


def test_the_confirmation_page_shows_the_code_and_the_receipt_link(app, db, demo, fi_client):
    request_id = issue(app, db, demo["staff"], demo["client_fi"])
    sign(fi_client, request_id)
    page = fi_client.get(f"/consents/{request_id}/signed").get_data(as_text=True)
    code = db.scalars(select(ConsentSignature.verification_code)).one()
    assert "Olet allekirjoittanut suostumuksen" in page
    assert f"{code[:4]}-{code[4:8]}-{code[8:]}" in page
    assert f'href="/consents/{request_id}/receipt.pdf"' in page


def test_a_choice_the_page_did_not_offer_is_refused_in_the_clients_words(app, db, demo, fi_client):
    # WTForms said "'sell_data' is not a valid choice for this field." on the Finnish page.
    request_id = issue(app, db, demo["staff"], demo["client_fi"])
    for locale, message in (
        ("fi", "Valitse vain sivulla näkyvistä vaihtoehdoista."),
        ("sv", "Välj bara bland alternativen på sidan."),
    ):
        fi_client.get(f"/language/{locale}")
        refused = sign(fi_client, request_id, purposes=("sell_data",))
        assert refused.status_code == 422
        page = refused.get_data(as_text=True)
        assert page.count(message) == 2, "next to the field and in the summary"
        assert "sell_data" not in page
        assert "valid choice" not in page
    assert signatures(db, request_id) == 0


def test_a_replayed_sign_post_leaves_one_signature(app, db, demo, fi_client):
    request_id = issue(app, db, demo["staff"], demo["client_fi"])
    page = fi_client.get(f"/consents/{request_id}").get_data(as_text=True)
    data = sign_form(page)
    first = fi_client.post(f"/consents/{request_id}", data=data)
    replay = fi_client.post(f"/consents/{request_id}", data=data)
    assert first.status_code == replay.status_code == 303
    assert replay.headers["Location"] == f"/consents/{request_id}/signed"
    assert signatures(db, request_id) == 1
    assert count(db, ConsentEvent, ConsentEvent.kind == "signed") == 1
    assert count(db, AccessLogEntry, AccessLogEntry.action == "sign") == 1


def test_two_signatures_racing_each_other_leave_one(app, db, demo, live_server):
    request_id = issue(app, db, demo["staff"], demo["client_fi"])
    browser = requests.Session()
    browser.cookies.set("polku_session", login_as(app, app.test_client(), demo["client_fi"]))
    page = browser.get(f"{live_server.url}/consents/{request_id}").text
    data = sign_form(page)
    start = threading.Barrier(4)
    answers: list[int] = []

    def post() -> None:
        start.wait()
        response = browser.post(f"{live_server.url}/consents/{request_id}", data=data, allow_redirects=False)
        answers.append(response.status_code)

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert answers == [303] * 4
    assert signatures(db, request_id) == 1
    assert count(db, ConsentEvent, ConsentEvent.kind == "signed") == 1


def test_the_request_names_the_sender_and_their_organisation_in_the_clients_language(
    app, db, demo, fi_client, sv_client
):
    # The staff sign-in gives the organisation in Finnish only; it is one of the consent's parties.
    assert demo["staff"].organisation == "Keski-Uudenmaan hyvinvointialue"
    for browser, person, expected in (
        (fi_client, "client_fi", "Sami Salonen, Keski-Uudenmaan hyvinvointialue"),
        (sv_client, "client_sv", "Sami Salonen, Mellersta Nylands välfärdsområde"),
    ):
        request_id = issue(app, db, demo["staff"], demo[person])
        assert expected in browser.get(f"/consents/{request_id}").get_data(as_text=True)


def test_another_clients_request_is_not_found_and_nothing_is_written(app, db, demo, sv_client):
    request_id = issue(app, db, demo["staff"], demo["client_fi"])
    page = sv_client.get("/consents").get_data(as_text=True)  # a page with a CSRF token
    for path in ("", "/signed", "/receipt.pdf", "/decline", "/revoke"):
        assert sv_client.get(f"/consents/{request_id}{path}").status_code == 404
    for path in ("", "/decline", "/revoke"):
        response = sv_client.post(
            f"/consents/{request_id}{path}", data={"csrf_token": sign_form(page)["csrf_token"]}
        )
        assert response.status_code == 404
    assert signatures(db, request_id) == 0
    assert request_row(db, request_id).status == ConsentStatus.PENDING


def test_signing_a_cancelled_request_is_refused_with_a_clear_page(app, db, demo, fi_client):
    request_id = issue(app, db, demo["staff"], demo["client_fi"])
    page = fi_client.get(f"/consents/{request_id}").get_data(as_text=True)
    db.execute(text("UPDATE consent_request SET status = 'cancelled' WHERE id = :id"), {"id": request_id})
    db.commit()
    response = fi_client.post(f"/consents/{request_id}", data=sign_form(page))
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "Tämä pyyntö on peruttu" in body
    assert "Mitään ei allekirjoitettu eikä muutettu." in body
    assert signatures(db, request_id) == 0
    assert count(db, AccessLogEntry, AccessLogEntry.action == "sign") == 0


def test_signing_an_expired_request_is_refused_with_a_clear_page(app, db, demo, fi_client):
    request_id = issue(app, db, demo["staff"], demo["client_fi"], due_on=datetime.now(UTC).date())
    page = fi_client.get(f"/consents/{request_id}").get_data(as_text=True)
    with time_machine.travel(datetime.now(UTC) + timedelta(days=2)):
        login_as(app, fi_client, demo["client_fi"])
        fresh_token = csrf_token_from(fi_client.get("/consents").get_data(as_text=True))
        response = fi_client.post(
            f"/consents/{request_id}", data={**sign_form(page), "csrf_token": fresh_token}
        )
        assert response.status_code == 409
        assert "Tämän pyynnön vastausaika on päättynyt" in response.get_data(as_text=True)
        status_page = fi_client.get(f"/consents/{request_id}").get_data(as_text=True)
        assert "Vanhentunut" in status_page
    assert signatures(db, request_id) == 0


def test_a_changed_text_hash_is_refused(app, db, demo, fi_client):
    request_id = issue(app, db, demo["staff"], demo["client_fi"])
    page = fi_client.get(f"/consents/{request_id}").get_data(as_text=True)
    response = fi_client.post(f"/consents/{request_id}", data={**sign_form(page), "text_sha256": "0" * 64})
    assert response.status_code == 409
    assert "Suostumuksen teksti on muuttunut" in response.get_data(as_text=True)
    assert signatures(db, request_id) == 0


def test_a_choice_the_template_does_not_offer_is_refused(app, db, demo, fi_client):
    request_id = issue(app, db, demo["staff"], demo["client_fi"])
    response = sign(fi_client, request_id, purposes=("service_need_and_plan",))  # required, not a choice
    assert response.status_code == 422
    assert signatures(db, request_id) == 0


def test_an_old_identification_sends_the_client_to_identify_again(app, db, demo):
    request_id = issue(app, db, demo["staff"], demo["client_fi"])
    browser = app.test_client()
    login_as(app, browser, demo["client_fi"], auth_time=datetime.now(UTC) - timedelta(minutes=11))
    page = browser.get(f"/consents/{request_id}").get_data(as_text=True)
    response = browser.post(
        f"/consents/{request_id}", data={**sign_form(page), "purposes": ["provider_contact"]}
    )
    assert response.status_code == 307
    assert response.headers["Location"] == "/sign-in/step-up"
    assert signatures(db, request_id) == 0


@pytest.mark.parametrize("app_config", [{"STEP_UP_MINUTES": 2}], indirect=True)
def test_the_step_up_limit_comes_from_the_configuration(app, db, demo):
    request_id = issue(app, db, demo["staff"], demo["client_fi"])
    browser = app.test_client()
    login_as(app, browser, demo["client_fi"], auth_time=datetime.now(UTC) - timedelta(minutes=3))
    assert sign(browser, request_id).status_code == 307
    assert signatures(db, request_id) == 0


def test_declining_records_the_reason_and_nothing_is_signed(app, db, demo, fi_client):
    request_id = issue(app, db, demo["staff"], demo["client_fi"])
    page = fi_client.get(f"/consents/{request_id}/decline").get_data(as_text=True)
    assert "Suostumuksen antaminen on vapaaehtoista." in page
    response = post_form(fi_client, f"/consents/{request_id}/decline", {"reason": "En halua nyt."})
    assert response.status_code == 303
    told = fi_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Vastauksesi on tallennettu: et antanut suostumusta." in told
    assert "Vastauksesi on tallennettu" not in fi_client.get(f"/consents/{request_id}").get_data(as_text=True)
    assert request_row(db, request_id).status == ConsentStatus.DECLINED
    event = db.scalars(select(ConsentEvent).where(ConsentEvent.kind == "declined")).one()
    with app.app_context():
        assert event_reason(event) == "En halua nyt."
    raw = db.execute(text("SELECT * FROM consent_event WHERE kind = 'declined'")).one()
    assert "En halua" not in repr(raw), "sealed: a reason can tell of health"
    assert event.actor_role == "client"
    assert signatures(db, request_id) == 0
    assert "Kieltäydyit tästä pyynnöstä" in fi_client.get(f"/consents/{request_id}").get_data(as_text=True)
    assert sign(fi_client, request_id).status_code == 409
    staff = app.test_client()
    login_as(app, staff, demo["staff"])
    history = staff.get(f"/staff/consents/requests/{request_id}").get_data(as_text=True)
    assert '<p class="history__note">En halua nyt.</p>' in history, "the professional reads the reason"


def test_revoking_takes_effect_at_once_and_tells_the_issuer(app, db, demo, fi_client):
    request_id = issue(app, db, demo["staff"], demo["client_fi"])
    sign(fi_client, request_id)
    page = fi_client.get(f"/consents/{request_id}").get_data(as_text=True)
    assert f'href="/consents/{request_id}/revoke"' in page
    confirm = fi_client.get(f"/consents/{request_id}/revoke").get_data(as_text=True)
    assert "Haluatko perua suostumuksesi?" in confirm
    response = post_form(fi_client, f"/consents/{request_id}/revoke", {"reason": ""})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/consents/{request_id}?revoked=1"
    assert request_row(db, request_id).status == ConsentStatus.REVOKED
    revoked = fi_client.get(f"/consents/{request_id}").get_data(as_text=True)
    with app.test_request_context(headers={"Accept-Language": "fi"}):
        revoked_on = local_date(today())
    assert f"Peruit tämän suostumuksen {revoked_on}." in revoked
    event = db.scalars(select(ConsentEvent).where(ConsentEvent.kind == "revoked")).one()
    assert (event.actor_role, event.actor_id, event.channel) == (
        "client",
        demo["client_fi"].id,
        "self-service",
    )
    message = db.scalars(select(OutboxMessage).where(OutboxMessage.template_key == "consent_revoked")).one()
    assert message.recipient == demo["staff"].email
    assert message.params["path"] == f"/staff/consents/requests/{request_id}"
    assert count(db, AccessLogEntry, AccessLogEntry.action == "revoke") == 1
    # The signature itself is untouched: the revocation is a new event, not an edit.
    assert signatures(db, request_id) == 1
    after = fi_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Suostumuksesi on peruttu. Peruminen tuli voimaan heti." in after
    # Revoking twice changes nothing more.
    again = post_form(fi_client, f"/consents/{request_id}", {}, action=f"/consents/{request_id}/revoke")
    assert again.status_code == 409
    assert count(db, ConsentEvent, ConsentEvent.kind == "revoked") == 1


def test_the_issuer_is_told_of_a_revocation_in_their_own_language(app, db, demo, fi_client):
    from portal.notifications.render import Renderer

    demo["staff"].locale = "sv"
    db.commit()
    request_id = issue(app, db, demo["staff"], demo["client_fi"])
    sign(fi_client, request_id)
    post_form(fi_client, f"/consents/{request_id}/revoke", {"reason": ""})
    message = db.scalars(select(OutboxMessage).where(OutboxMessage.template_key == "consent_revoked")).one()
    assert message.locale == "sv"
    rendered = Renderer("https://polku.example").email(message.template_key, message.locale, message.params)
    assert rendered.subject == "En klient har återkallat ett samtycke"


def test_the_evidence_record_can_never_be_updated(app, db, demo, fi_client):
    request_id = issue(app, db, demo["staff"], demo["client_fi"])
    sign(fi_client, request_id)
    for statement in ("UPDATE consent_signature SET locale = 'sv'", "UPDATE consent_event SET reason = 'x'"):
        with pytest.raises(DatabaseError, match="never updated"):
            db.execute(text(statement))
        db.rollback()
    assert db.scalars(select(ConsentSignature.locale)).one() == "fi"


def test_the_client_list_puts_pending_first_then_valid_then_past(app, db, demo, fi_client):
    signed_id = issue(app, db, demo["staff"], demo["client_fi"], template_key="questionnaire_to_provider")
    sign(fi_client, signed_id)
    pending_id = issue(app, db, demo["staff"], demo["client_fi"])
    page = fi_client.get("/consents").get_data(as_text=True)
    waiting, valid = page.index("Vastaustasi odottavat pyynnöt"), page.index("Voimassa olevat suostumukset")
    assert waiting < page.index(f"/consents/{pending_id}") < valid < page.index(f"/consents/{signed_id}")
    home = fi_client.get("/home").get_data(as_text=True)
    assert f'href="/consents/{pending_id}"' in home
    assert f'href="/consents/{signed_id}"' not in home
    with app.test_request_context(headers={"Accept-Language": "fi"}):
        due = local_date(today() + timedelta(days=14))
    assert f"Vastaa viimeistään {due}" in home


def test_the_session_row_gives_the_identification_evidence(app, db, demo, fi_client):
    request_id = issue(app, db, demo["staff"], demo["client_fi"])
    row = db.scalars(select(UserSession).where(UserSession.client_id == demo["client_fi"].id)).one()
    row.amr = "nordea"
    row.idp_session = "idp-session-1"
    db.commit()
    sign(fi_client, request_id)
    signature = db.scalars(select(ConsentSignature)).one()
    assert (signature.amr, signature.idp_session) == ("nordea", "idp-session-1")


def test_requests_of_a_client_are_never_shown_to_another(app, db, demo, sv_client):
    issue(app, db, demo["staff"], demo["client_fi"])
    assert count(db, ConsentRequest) == 1
    page = sv_client.get("/consents").get_data(as_text=True)
    assert "Samtycke till utbyte av uppgifter" not in page


@pytest.mark.parametrize(
    "odd",
    [
        {"text_locale": "xx"},
        {"text_locale": ""},
        {"purposes": ["<script>"]},
        {"categories": ["\x00"]},
        {"text_sha256": "x" * 5000},
    ],
)
def test_odd_sign_input_never_gives_a_server_error(app, db, demo, fi_client, odd):
    request_id = issue(app, db, demo["staff"], demo["client_fi"])
    page = fi_client.get(f"/consents/{request_id}").get_data(as_text=True)
    response = fi_client.post(f"/consents/{request_id}", data={**sign_form(page), **odd})
    assert response.status_code in (409, 422)
    assert "<script>" not in response.get_data(as_text=True)
    assert signatures(db, request_id) == 0


def test_free_text_with_nul_and_markup_is_stored_safely(app, db, demo, fi_client):
    request_id = issue(app, db, demo["staff"], demo["client_fi"], message="Hei\x00 <b>Maija</b>")
    page = fi_client.get(f"/consents/{request_id}").get_data(as_text=True)
    assert "Hei &lt;b&gt;Maija&lt;/b&gt;" in page
    post_form(fi_client, f"/consents/{request_id}/decline", {"reason": "ei\x00 nyt <i>"})
    event = db.scalars(select(ConsentEvent).where(ConsentEvent.kind == "declined")).one()
    with app.app_context():
        assert event_reason(event) == "ei nyt <i>"


def test_the_consents_are_ready_for_the_clients_data_download(app, db, demo, fi_client):
    from portal.views.consent.parts import export_data

    request_id = issue(app, db, demo["staff"], demo["client_fi"])
    sign(fi_client, request_id)
    with app.test_request_context():
        exported = export_data(db, demo["client_fi"])
    assert [item["status"] for item in exported] == ["signed"]
    assert exported[0]["signature"]["text_sha256"] == db.scalars(select(ConsentSignature.text_sha256)).one()
    assert "signer_hetu_hmac" not in str(exported)


def test_the_download_has_the_reason_the_client_gave_and_titles_in_its_language(app, db, demo, fi_client):
    from portal.views.consent.parts import export_data

    request_id = issue(app, db, demo["staff"], demo["client_fi"])
    post_form(fi_client, f"/consents/{request_id}/decline", {"reason": "En halua nyt."})
    with app.test_request_context(headers={"Cookie": "polku_lang=sv"}):
        exported = export_data(db, demo["client_fi"])
    assert [(item["status"], item["reason"]) for item in exported] == [("declined", "En halua nyt.")]
    assert exported[0]["consent"] == "Samtycke till utbyte av uppgifter i TYM-samarbetet"


def test_the_consent_in_brief_of_a_signed_consent_lists_only_what_it_covers(app, db, demo, fi_client):
    request_id = issue(app, db, demo["staff"], demo["client_fi"])
    before = fi_client.get(f"/consents/{request_id}").get_data(as_text=True)
    listed = (
        "<li>Kelan etuus- ja kuntoutuspäätökset</li>\n      <li>Esitietokyselyn vastauksesi (valinnainen)"
    )
    assert listed in before
    assert sign(fi_client, request_id, purposes=("provider_contact",)).status_code == 303

    def brief(page: str) -> str:
        return page.split("Suostumus lyhyesti")[1]

    signed = brief(fi_client.get(f"/consents/{request_id}").get_data(as_text=True))
    assert "Esitietokyselyn vastauksesi" not in signed, "left out when signing, so not in the brief"
    assert (
        "<li>Henkilö- ja yhteystiedot</li>\n      <li>Kelan etuus- ja kuntoutuspäätökset</li>\n    </ul>"
        in signed
    )
    provider_contact = "<td>Yhteydenpito kuntoutuksen palveluntuottajaan kuntoutuksesi aikana</td>"
    assert f"{provider_contact}\n    <td>Mukana</td>" in signed, "the optional purpose chosen"
    staff = app.test_client()
    login_as(app, staff, demo["staff"])
    overview = brief(staff.get(f"/staff/consents/requests/{request_id}").get_data(as_text=True))
    assert "Esitietokyselyn vastauksesi" not in overview
