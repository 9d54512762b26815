"""The client's questionnaire pages and the professionals' review: who may use which route."""

from tests.access_rules import ADVISER_AND_STAFF, CLIENTS_ONLY, Rules

# An id that is nobody's: clients and professionals alike find nothing; the wrong audience is refused.
NOT_MY_ANSWERS = {
    "anonymous": 302,
    "client": 404,
    "other_client": 404,
    "adviser": 403,
    "staff": 403,
    "admin": 403,
}
NOT_MY_ANSWERS_POST = {**NOT_MY_ANSWERS, "anonymous": 401}
NOT_MY_CLIENT = {
    "anonymous": 302,
    "client": 403,
    "other_client": 403,
    "adviser": 404,
    "staff": 404,
    "admin": 403,
}
NOT_MY_CLIENT_POST = {**NOT_MY_CLIENT, "anonymous": 401}
# The answers are the advisers': staff are refused before anything is looked up.
ADVISERS_ANSWERS = {**NOT_MY_CLIENT, "staff": 403}
ADVISERS_ANSWERS_POST = {**ADVISERS_ANSWERS, "anonymous": 401}

RULES: Rules = {
    ("GET", "questionnaire.client_list"): ("/questionnaires", CLIENTS_ONLY),
    ("GET", "questionnaire.start"): ("/questionnaires/999999", NOT_MY_ANSWERS),
    ("GET", "questionnaire.page"): ("/questionnaires/999999/pages/now", NOT_MY_ANSWERS),
    ("POST", "questionnaire.page"): ("/questionnaires/999999/pages/now", NOT_MY_ANSWERS_POST),
    ("GET", "questionnaire.saved"): ("/questionnaires/999999/saved", NOT_MY_ANSWERS),
    ("GET", "questionnaire.check"): ("/questionnaires/999999/check", NOT_MY_ANSWERS),
    ("POST", "questionnaire.submit"): ("/questionnaires/999999/submit", NOT_MY_ANSWERS_POST),
    ("GET", "questionnaire.done"): ("/questionnaires/999999/done", NOT_MY_ANSWERS),
    ("GET", "questionnaire.view"): ("/questionnaires/999999/view", NOT_MY_ANSWERS),
    ("GET", "questionnaire.review_queue"): ("/staff/questionnaires", {**ADVISER_AND_STAFF, "staff": 403}),
    ("POST", "questionnaire.search_queue"): (
        "/staff/questionnaires",
        {"anonymous": 401, "client": 403, "other_client": 403, "adviser": 303, "staff": 403, "admin": 403},
    ),
    ("GET", "questionnaire.review"): ("/staff/questionnaires/999999", ADVISERS_ANSWERS),
    ("POST", "questionnaire.add_note"): ("/staff/questionnaires/999999/notes", ADVISERS_ANSWERS_POST),
    ("POST", "questionnaire.mark_reviewed"): ("/staff/questionnaires/999999/reviewed", ADVISERS_ANSWERS_POST),
    ("GET", "questionnaire.print_view"): ("/staff/questionnaires/999999/print", ADVISERS_ANSWERS),
    ("GET", "questionnaire.fhir_download"): ("/staff/questionnaires/999999/fhir", ADVISERS_ANSWERS),
    ("GET", "questionnaire.assign"): ("/staff/questionnaires/assign/999999", NOT_MY_CLIENT),
    ("POST", "questionnaire.assign"): ("/staff/questionnaires/assign/999999", NOT_MY_CLIENT_POST),
}
