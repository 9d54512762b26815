"""My clients and the client overview run the same number of SQL statements at any data size."""

from __future__ import annotations

from portal.i18n import today
from portal.models import Client
from portal.services.audit import Actor
from portal.services.clients import assign
from portal.services.pathway import Change, add_note, move_to_step, start_pathway
from tests.conftest import login_as
from tests.factories import make_client
from tests.query_count import count_queries


def make_clients(app, db, adviser, count: int, events: int) -> list[Client]:
    actor = Actor(id=adviser.id, role="adviser")
    made = []
    with app.app_context():
        for index in range(count):
            client = make_client(app, db, given_name=f"Testi{index}", family_name="Asiakas")
            assign(db, actor, client, adviser)
            pathway = start_pathway(db, actor, client, "kela_vocational_rehabilitation", Change(today()))
            for step in range(events):
                if step % 2:
                    add_note(
                        db,
                        actor,
                        client,
                        pathway,
                        Change(today(), note=f"Muistiinpano {step}"),
                        pathway.version,
                    )
                else:
                    move_to_step(db, actor, client, pathway, "consent", Change(today()), pathway.version)
            made.append(client)
    return made


def statements_for(app, browser, url: str) -> int:
    browser.get(url)  # warm caches that are not per-request
    with count_queries(app) as statements:
        assert browser.get(url).status_code == 200
    return len(statements)


def test_my_clients_runs_a_constant_number_of_queries(app, db, demo):
    adviser = app.test_client()
    login_as(app, adviser, demo["adviser"])
    make_clients(app, db, demo["adviser"], 3, 2)
    small = statements_for(app, adviser, "/staff/clients")
    make_clients(app, db, demo["adviser"], 22, 6)
    large = statements_for(app, adviser, "/staff/clients")
    assert small == large


def test_the_client_overview_runs_a_constant_number_of_queries(app, db, demo):
    adviser = app.test_client()
    login_as(app, adviser, demo["adviser"])
    few = make_clients(app, db, demo["adviser"], 1, 1)[0]
    many = make_clients(app, db, demo["adviser"], 1, 30)[0]
    assert statements_for(app, adviser, f"/staff/clients/{few.id}") == statements_for(
        app, adviser, f"/staff/clients/{many.id}"
    )
    assert statements_for(app, adviser, f"/staff/clients/{few.id}/pathway") == statements_for(
        app, adviser, f"/staff/clients/{many.id}/pathway"
    )
