"""Commands an admin runs: assigning professionals to clients; the development outbox page."""

from sqlalchemy import select

from portal.models import ClientAssignment


def test_an_admin_assigns_an_adviser_to_a_client_from_the_command_line(app, db, demo):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["clients", "assign", "riikka.rantanen@kela.example"], input="150385-9013\n")
    assert result.exit_code == 0, result.output
    assert "150385" not in result.output, "the code is asked for without echoing it"
    assert db.scalars(select(ClientAssignment.staff_user_id)).all() == [demo["adviser"].id]
    again = runner.invoke(args=["clients", "assign", "riikka.rantanen@kela.example"], input="150385-9013\n")
    assert again.exit_code == 0
    assert len(db.scalars(select(ClientAssignment)).all()) == 1


def test_the_assign_command_refuses_unknown_people_and_bad_codes(app, demo):
    runner = app.test_cli_runner()
    assert (
        runner.invoke(args=["clients", "assign", "nobody@kela.example"], input="150385-9013\n").exit_code != 0
    )
    bad = runner.invoke(args=["clients", "assign", "riikka.rantanen@kela.example"], input="150385-9014\n")
    assert bad.exit_code != 0
    assert "not a valid personal identity code" in bad.output


def test_the_development_outbox_shows_the_rendered_messages(app, db, demo):
    from portal.services.outbox import enqueue

    with app.app_context():
        enqueue(
            db,
            channel="email",
            recipient="maija@example.fi",
            template_key="pathway_updated",
            locale="fi",
            params={"path": "/pathway"},
            idempotency_key="t1",
        )
        db.commit()
    page = app.test_client().get("/dev/outbox").get_data(as_text=True)
    assert "maija@example.fi" in page
    assert "http://127.0.0.1:5000/pathway" in page
    assert "<code>flask --app portal outbox send</code>" in page
    assert "`" not in page
