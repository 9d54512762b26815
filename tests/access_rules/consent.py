"""Consent: the client's own pages, the professional's requests, and the public verification page."""

from tests.access_rules import ADVISER_AND_STAFF, ANYONE_200, CLIENTS_ONLY, ROLES, STAFF_ONLY, Rules

MISSING = "999999"
# Another client's request and one that does not exist answer alike: not found.
OWN_REQUEST_GET = {
    "anonymous": 302,
    "client": 404,
    "other_client": 404,
    "adviser": 403,
    "staff": 403,
    "admin": 403,
}
OWN_REQUEST_POST = {**OWN_REQUEST_GET, "anonymous": 401}
# A professional sees only their own clients' requests; admins issue nothing.
STAFF_OBJECT_GET = {
    "anonymous": 302,
    "client": 403,
    "other_client": 403,
    "adviser": 404,
    "staff": 404,
    "admin": 403,
}
STAFF_OBJECT_POST = {**STAFF_OBJECT_GET, "anonymous": 401}
STAFF_FORM_POST = {
    "anonymous": 401,
    "client": 403,
    "other_client": 403,
    "adviser": 422,
    "staff": 422,
    "admin": 403,
}

RULES: Rules = {
    ("GET", "consent.client_list"): ("/consents", CLIENTS_ONLY),
    ("GET", "consent.request_page"): (f"/consents/{MISSING}", OWN_REQUEST_GET),
    ("POST", "consent.request_page"): (f"/consents/{MISSING}", OWN_REQUEST_POST),
    ("GET", "consent.signed"): (f"/consents/{MISSING}/signed", OWN_REQUEST_GET),
    ("GET", "consent.receipt"): (f"/consents/{MISSING}/receipt.pdf", OWN_REQUEST_GET),
    ("GET", "consent.decline"): (f"/consents/{MISSING}/decline", OWN_REQUEST_GET),
    ("POST", "consent.decline"): (f"/consents/{MISSING}/decline", OWN_REQUEST_POST),
    ("GET", "consent.revoke"): (f"/consents/{MISSING}/revoke", OWN_REQUEST_GET),
    ("POST", "consent.revoke"): (f"/consents/{MISSING}/revoke", OWN_REQUEST_POST),
    ("GET", "consent.staff_requests"): ("/staff/consents", ADVISER_AND_STAFF),
    ("GET", "consent.new_request"): ("/staff/consents/new", ADVISER_AND_STAFF),
    ("POST", "consent.new_request"): ("/staff/consents/new", STAFF_FORM_POST),
    ("GET", "consent.new_request_for_client"): (f"/staff/clients/{MISSING}/consents/new", STAFF_OBJECT_GET),
    ("POST", "consent.new_request_for_client"): (f"/staff/clients/{MISSING}/consents/new", STAFF_OBJECT_POST),
    ("GET", "consent.staff_request"): (f"/staff/consents/requests/{MISSING}", STAFF_OBJECT_GET),
    ("POST", "consent.remind"): (f"/staff/consents/requests/{MISSING}/remind", STAFF_OBJECT_POST),
    ("POST", "consent.cancel"): (f"/staff/consents/requests/{MISSING}/cancel", STAFF_OBJECT_POST),
    ("POST", "consent.reissue"): (f"/staff/consents/requests/{MISSING}/reissue", STAFF_OBJECT_POST),
    ("GET", "consent.staff_verify"): ("/staff/consents/verify", STAFF_ONLY),
    ("POST", "consent.staff_verify"): (
        "/staff/consents/verify",
        {"anonymous": 401, "client": 403, "other_client": 403, "adviser": 422, "staff": 422, "admin": 422},
    ),
    ("GET", "consent.verify_public"): ("/verify", ANYONE_200),
    ("POST", "consent.verify_public"): ("/verify", dict.fromkeys(ROLES, 422)),
}
