"""by_id and loaded_one (portal.services.reads): what the ORM would answer, made from the columns."""

from sqlalchemy import inspect, select

from portal.models import Client, StaffUser
from portal.services.reads import by_id


def test_by_id_finds_the_row_as_a_loaded_object_that_saves_its_changes(app, demo):
    maker = app.extensions["polku.sessionmaker"]
    with maker() as db:
        client = by_id(db, Client, demo["client_fi"].id)
        assert client is not None
        state = inspect(client)
        assert state.persistent
        assert not state.modified
        assert not db.new
        assert not db.dirty
        assert client.full_name == demo["client_fi"].full_name
        assert db.get(Client, client.id) is client
        assert db.scalars(select(Client).where(Client.id == client.id)).one() is client
        client.municipality = "Tuusula"
        db.commit()
    with maker() as db:
        assert db.get(Client, demo["client_fi"].id).municipality == "Tuusula"


def test_by_id_gives_the_object_already_loaded_and_none_for_no_row(app, demo):
    maker = app.extensions["polku.sessionmaker"]
    with maker() as db:
        adviser = db.get(StaffUser, demo["adviser"].id)
        adviser.name = "Not yet saved"
        assert by_id(db, StaffUser, demo["adviser"].id) is adviser
        assert by_id(db, StaffUser, 10**9) is None
        assert by_id(db, Client, 10**9) is None


def test_a_client_is_found_for_a_professional_who_works_with_them_only(app, demo):
    from portal.models import ClientAssignment
    from portal.services.clients import client_for_staff

    maker = app.extensions["polku.sessionmaker"]
    with maker() as db:
        db.add(
            ClientAssignment(
                client_id=demo["client_fi"].id, staff_user_id=demo["adviser"].id, responsibility="adviser"
            )
        )
        db.commit()
    with maker() as db:
        adviser = db.get(StaffUser, demo["adviser"].id)
        others = db.get(StaffUser, demo["staff"].id)
        client = client_for_staff(db, adviser, demo["client_fi"].id)
        assert client is not None
        assert inspect(client).persistent
        assert client.hetu_hash == demo["client_fi"].hetu_hash
        assert client_for_staff(db, adviser, demo["client_fi"].id) is client
        assert client_for_staff(db, others, demo["client_fi"].id) is None


def test_an_object_made_from_columns_refreshes_after_commit_and_loads_its_relationships(app, demo):
    maker = app.extensions["polku.sessionmaker"]
    with maker() as db:
        adviser = by_id(db, StaffUser, demo["adviser"].id)
        assert adviser is not None
        assert "roles" not in inspect(adviser).dict  # not read with the row: loaded when asked for
        assert {role.role for role in adviser.roles} == {role.role for role in demo["adviser"].roles}
        assert all(role.staff_user is adviser for role in adviser.roles)
        with maker() as other:
            other.get(StaffUser, adviser.id).name = "Changed elsewhere"
            other.commit()
        db.expire_all()  # the next read asks the database again
        assert adviser.name == "Changed elsewhere"
        db.delete(adviser)
        db.commit()
    with maker() as db:
        assert db.get(StaffUser, demo["adviser"].id) is None
