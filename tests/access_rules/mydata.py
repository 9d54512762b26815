"""The client's own data pages."""

from tests.access_rules import CLIENTS_ONLY, Rules

CLIENT_POST_FORM = {
    "anonymous": 401,
    "client": 422,
    "other_client": 422,
    "adviser": 403,
    "staff": 403,
    "admin": 403,
}

RULES: Rules = {
    ("GET", "mydata.overview"): ("/my-data", CLIENTS_ONLY),
    ("GET", "mydata.contact"): ("/my-data/contact", CLIENTS_ONLY),
    ("POST", "mydata.contact"): ("/my-data/contact", CLIENT_POST_FORM),
    ("GET", "mydata.access_log"): ("/my-data/access-log", CLIENTS_ONLY),
    ("GET", "mydata.older_log"): ("/my-data/access-log/older", CLIENTS_ONLY),
    ("POST", "mydata.download"): (
        "/my-data/download",
        {"anonymous": 401, "client": 200, "other_client": 200, "adviser": 403, "staff": 403, "admin": 403},
    ),
}
