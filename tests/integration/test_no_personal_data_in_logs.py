"""No personal identity code, answer text or phone number reaches the logs of a whole journey."""

from __future__ import annotations

import logging
import re

from portal.notifications import delivery_from_config
from portal.services.outbox import notify_client, send_due
from tests.conftest import login_as
from tests.integration.oidc_helpers import sign_in, start_sign_in
from tests.integration.questionnaire_helpers import ALL_PAGES, assign, put_answers

HETU = re.compile(r"\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]")
SECRET_ANSWER = "Selkäkipu ja yövuorot uuvuttavat"


def test_a_journey_leaves_no_personal_data_in_the_logs(live_server, app, db, demo, caplog):
    caplog.set_level(logging.DEBUG)
    response = assign(app, db, demo["client_fi"], demo["adviser"])
    put_answers(app, db, response, {**ALL_PAGES, "anything_else": SECRET_ANSWER}, page="check")

    journey = sign_in(live_server.url, "150385-9013")
    browser = journey.browser
    for path in [
        "/home",
        "/pathway",
        "/questionnaires",
        f"/questionnaires/{response.id}/check",
        "/my-data",
        "/my-data/access-log",
        "/consents",
        "/appointments",
    ]:
        assert browser.get(live_server.url + path).status_code == 200, path

    adviser = app.test_client()
    login_as(app, adviser, demo["adviser"])
    for path in [f"/staff/clients/{demo['client_fi'].id}", "/staff/questionnaires", "/staff/schedule"]:
        assert adviser.get(path).status_code == 200, path

    # A refused sign-in (a broken code in the claims) and a text message through the console gateway.
    app.config["DEV_IDP_MISCHIEF"] = {"claims": {"urn:oid:1.2.246.21": "150385-9014"}}
    refused, callback = start_sign_in(live_server.url, "150385-9013")
    assert refused.get(callback).status_code == 400
    with app.app_context():
        client = demo["client_fi"]
        client.phone, client.notify_by = "+358401234567", "sms"
        db.merge(client)
        notify_client(
            db, client, template_key="pathway_updated", params={"path": "/pathway"}, idempotency_key="x"
        )
        db.commit()
        send_due(app.extensions["polku.sessionmaker"], "log-test", delivery_from_config(app.config))

    logged = caplog.text
    assert logged, "the journey should have logged something"
    assert HETU.findall(logged) == []
    assert SECRET_ANSWER not in logged
    assert "401234567" not in logged
