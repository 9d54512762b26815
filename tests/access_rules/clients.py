"""The professional's client list, finding a client and the client overview."""

from tests.access_rules import ADVISER_AND_STAFF, Rules

NOT_A_CLIENT_OF_MINE = {
    "anonymous": 302,
    "client": 403,
    "other_client": 403,
    "adviser": 404,
    "staff": 404,
    "admin": 403,
}

RULES: Rules = {
    ("GET", "clients.my_clients"): ("/staff/clients", ADVISER_AND_STAFF),
    ("POST", "clients.search_clients"): (
        "/staff/clients",
        {"anonymous": 401, "client": 403, "other_client": 403, "adviser": 303, "staff": 303, "admin": 403},
    ),
    ("GET", "clients.find"): ("/staff/clients/find", ADVISER_AND_STAFF),
    ("POST", "clients.find"): (
        "/staff/clients/find",
        {"anonymous": 401, "client": 403, "other_client": 403, "adviser": 422, "staff": 422, "admin": 403},
    ),
    ("GET", "clients.overview"): ("/staff/clients/999999", NOT_A_CLIENT_OF_MINE),
    ("POST", "clients.assign"): (
        "/staff/clients/999999/assign",
        {"anonymous": 401, "client": 403, "other_client": 403, "adviser": 403, "staff": 404, "admin": 403},
    ),
}
