"""The client's pathway page and the professionals' pathway controls."""

from tests.access_rules import CLIENTS_ONLY, Rules

NOT_MINE = {"anonymous": 302, "client": 403, "other_client": 403, "adviser": 404, "staff": 404, "admin": 403}
NOT_MINE_POST = {**NOT_MINE, "anonymous": 401}

RULES: Rules = {
    ("GET", "pathway.client_pathway"): ("/pathway", CLIENTS_ONLY),
    ("GET", "pathway.manage"): ("/staff/clients/999999/pathway", NOT_MINE),
    ("POST", "pathway.start"): ("/staff/clients/999999/pathway/start", NOT_MINE_POST),
    ("POST", "pathway.move"): ("/staff/clients/999999/pathway/move", NOT_MINE_POST),
    ("POST", "pathway.skip"): ("/staff/clients/999999/pathway/skip", NOT_MINE_POST),
    ("POST", "pathway.note"): ("/staff/clients/999999/pathway/note", NOT_MINE_POST),
    ("POST", "pathway.close"): ("/staff/clients/999999/pathway/close", NOT_MINE_POST),
}
