"""The health endpoint answers whether the database is reachable."""

from portal import create_app
from tests.conftest import config_for_tests


def test_health_is_ok_when_the_database_answers(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_health_is_unavailable_when_the_database_is_not_reachable(database_url):
    broken = create_app(
        config_for_tests(database_url, DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:1/none")
    )
    response = broken.test_client().get("/health")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": "unreachable"}
