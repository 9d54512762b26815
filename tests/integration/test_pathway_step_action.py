"""What the current step asks of the client, as it stands for them: not yet issued, waiting, or done."""

from __future__ import annotations

from portal.i18n import today
from portal.services.pathway import Change, move_to_step, start_pathway
from tests.conftest import post_form, signed_in
from tests.integration import consent_helpers as consents
from tests.integration import questionnaire_helpers as questionnaires
from tests.integration.booking_support import actor_for, book_as_client, may_book, publish_times

TEMPLATE = "kela_vocational_rehabilitation"


def on_step(app, db, client, adviser, step):
    """The adviser works with the client, whose pathway is at `step`."""
    consents.assign(app, db, adviser, client)
    with app.app_context():
        pathway = start_pathway(db, actor_for(adviser), client, TEMPLATE, Change(today()))
        move_to_step(db, actor_for(adviser), client, pathway, step, Change(today()), pathway.version)


def pages(app, client, locale="fi"):
    """The client's home and pathway pages, read anew at each call."""
    browser = signed_in(app, client)
    browser.get(f"/language/{locale}")
    return lambda: [browser.get(url).get_data(as_text=True) for url in ("/home", "/pathway")]


def test_the_consent_step_says_what_stands_for_the_client(app, db, demo):
    maija = demo["client_fi"]
    on_step(app, db, maija, demo["adviser"], "consent")
    home_and_pathway = pages(app, maija)
    for page in home_and_pathway():
        assert "Suostumuspyyntöä ei ole vielä lähetetty sinulle." in page
        assert "Avaa suostumus" not in page, "no link to a consent that does not exist"

    request_id = consents.issue(app, db, demo["staff"], maija)
    for page in home_and_pathway():
        assert "Lue suostumus Polussa ja päätä, annatko sen." in page
        assert 'href="/consents">Avaa suostumus</a>' in page

    browser = signed_in(app, maija)
    assert consents.sign(browser, request_id).status_code == 303
    for page in home_and_pathway():
        assert "Olet antanut tämän suostumuksen. Tässä vaiheessa sinulta ei tarvita muuta." in page
        assert "Katso suostumuksesi" in page
        assert "Avaa suostumus" not in page


def test_a_declined_consent_is_not_said_to_be_still_unsent(app, db, demo):
    anna_lena = demo["client_sv"]
    on_step(app, db, anna_lena, demo["adviser"], "consent")
    request_id = consents.issue(app, db, demo["staff"], anna_lena)
    browser = signed_in(app, anna_lena)
    assert post_form(browser, f"/consents/{request_id}/decline", {}).status_code == 303
    pathway_page = pages(app, anna_lena, "sv")()[1]
    assert '<dd class="summary-list__value">Du själv</dd>' in pathway_page, "a value begins with a capital"
    for page in pages(app, anna_lena, "sv")():
        assert "Du har inte gett det här samtycket. Om du vill ge det, be din rådgivare skicka" in page
        assert 'href="/consents">Se dina samtycken</a>' in page
        assert "har inte skickats" not in page
    for page in pages(app, anna_lena)():
        assert "Et ole antanut tätä suostumusta. Jos haluat antaa sen, pyydä neuvojaasi" in page
        assert "ei ole vielä lähetetty" not in page


def test_the_questionnaire_step_stops_asking_once_the_answers_are_sent(app, db, demo):
    anna_lena = demo["client_sv"]
    on_step(app, db, anna_lena, demo["adviser"], "pre_interview_questionnaire")
    home_and_pathway = pages(app, anna_lena, "sv")
    for page in home_and_pathway():
        assert "Frågeformuläret har inte öppnats för dig ännu." in page

    questionnaires.submitted(app, db, anna_lena, demo["adviser"], questionnaires.ALL_PAGES)
    for page in home_and_pathway():
        assert "Svara på frågorna före rehabiliteringsintervjun." not in page
        assert "Du har skickat dina svar. Mer behövs inte av dig i det här steget." in page
        assert "Se dina frågeformulär" in page


def test_the_booking_step_waits_for_the_offer_then_links_then_says_booked(app, db, demo):
    maija = demo["client_fi"]
    on_step(app, db, maija, demo["adviser"], "service_need_assessment")
    home_and_pathway = pages(app, maija)
    for page in home_and_pathway():
        assert "Et voi vielä varata tätä aikaa. Saat tiedon, kun voit." in page
        assert "Varaa aika verkostotapaamiseen" not in page

    ids = publish_times(app, db, demo["adviser"], kind="network_meeting", days=1, modalities=("video",))
    may_book(app, db, maija, demo["adviser"], kind="network_meeting")
    for page in home_and_pathway():
        assert 'href="/appointments">Varaa aika verkostotapaamiseen</a>' in page

    browser = signed_in(app, maija)
    assert book_as_client(browser, ids[0], kind="network_meeting", modality="video").status_code == 302
    for page in home_and_pathway():
        assert "Olet varannut ajan. Näet sen ajanvarauksissasi." in page
        assert "Katso ajanvarauksesi" in page


def test_the_pathway_page_offers_what_other_steps_already_ask(app, db, demo):
    # The questionnaire is opened before the pathway reaches its step: the front page asks for the
    # answers, so the pathway page must not leave the client thinking there is nothing to do.
    maija = demo["client_fi"]
    on_step(app, db, maija, demo["adviser"], "consent")
    questionnaires.assign(app, db, maija, demo["adviser"])
    pathway = pages(app, maija)()[1]
    assert "Suostumuspyyntöä ei ole vielä lähetetty sinulle." in pathway
    assert "Sillä välin voit jo tehdä nämä:" in pathway
    assert (
        '<a href="/questionnaires">Vastaa kyselyyn</a> <span class="hint">(vaihe: Esitietokysely)</span>'
        in pathway
    )
    swedish = pages(app, maija, "sv")()[1]
    assert "Under tiden kan du redan göra de här sakerna:" in swedish
    assert '<a href="/questionnaires">Svara på frågeformuläret</a>' in swedish
    assert "(steg: Frågeformulär inför intervjun)" in swedish
    # A nurse's time can be booked without an adviser's offer: it is waiting too, as on the front page.
    assert '<a href="/appointments">Varaa aika terveydenhoitajalle</a>' in pathway

    # Once the current step itself waits for the client, the page is about that step (the front
    # page lists everything waiting).
    consents.issue(app, db, demo["staff"], maija)
    pathway = pages(app, maija)()[1]
    assert 'href="/consents">Avaa suostumus</a>' in pathway
    assert "Sillä välin" not in pathway
    assert "Vastaa kyselyyn" not in pathway


def test_a_step_with_nothing_for_the_client_yet_does_not_also_say_nothing_is_needed_at_all(app, db, demo):
    anna_lena = demo["client_sv"]
    consents.assign(app, db, demo["adviser"], anna_lena)
    with app.app_context():  # a new pathway is at its first step, the referral, which asks nothing
        start_pathway(db, actor_for(demo["adviser"]), anna_lena, TEMPLATE, Change(today()))
    questionnaires.assign(app, db, anna_lena, demo["adviser"])
    pathway = pages(app, anna_lena, "sv")()[1]
    assert "Ingenting just nu" not in pathway
    assert "I det här steget behövs ingenting av dig just nu." in pathway
    assert '<a href="/questionnaires">Svara på frågeformuläret</a>' in pathway
