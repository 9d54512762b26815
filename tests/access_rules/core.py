"""The foundation, sign-in and session routes."""

from tests.access_rules import ANYONE_200, CLIENTS_ONLY, ROLES, SIGNED_IN_POST, STAFF_ONLY, Rules

# The accessibility feedback is read and handled by main users only.
MAIN_USERS_GET = {**dict.fromkeys(ROLES, 403), "anonymous": 302, "admin": 200}
MAIN_USERS_POST = {**dict.fromkeys(ROLES, 403), "anonymous": 401, "admin": 404}

RULES: Rules = {
    ("GET", "pages.start"): ("/", ANYONE_200),
    ("GET", "pages.accessibility"): ("/accessibility", ANYONE_200),
    ("GET", "pages.privacy"): ("/privacy", ANYONE_200),
    ("GET", "pages.contact"): ("/contact", ANYONE_200),
    ("GET", "feedback.give"): ("/accessibility/feedback", ANYONE_200),
    ("POST", "feedback.give"): ("/accessibility/feedback", dict.fromkeys(ROLES, 422)),
    ("GET", "feedback.thanks"): ("/accessibility/feedback/thanks", ANYONE_200),
    ("GET", "feedback.received"): ("/staff/feedback", MAIN_USERS_GET),
    ("POST", "feedback.mark_handled"): ("/staff/feedback/999999/handled", MAIN_USERS_POST),
    ("GET", "language.switch"): ("/language/sv", dict.fromkeys(ROLES, 302)),
    ("GET", "health.health"): ("/health", ANYONE_200),
    ("GET", "identity.jwks"): ("/.well-known/jwks.json", ANYONE_200),
    ("GET", "auth.sign_in"): ("/sign-in", {"anonymous": 200, **dict.fromkeys(ROLES[1:], 302)}),
    ("POST", "auth.start"): ("/sign-in/nope", dict.fromkeys(ROLES, 404)),
    ("GET", "auth.callback"): ("/auth/ftn/callback", dict.fromkeys(ROLES, 400)),
    ("GET", "auth.signed_out"): ("/signed-out", ANYONE_200),
    ("POST", "auth.step_up"): ("/sign-in/step-up", {"anonymous": 401, **dict.fromkeys(ROLES[1:], 400)}),
    ("POST", "auth.sign_out"): ("/sign-out", SIGNED_IN_POST),
    ("POST", "auth.sign_out_everywhere"): ("/sign-out/everywhere", SIGNED_IN_POST),
    ("POST", "auth.extend_session"): ("/session/extend", SIGNED_IN_POST),
    # Kept only for a page that takes a form back, named in the form: here none is named.
    ("POST", "auth.keep_typed"): ("/session/keep", {"anonymous": 401, **dict.fromkeys(ROLES[1:], 400)}),
    ("GET", "home.client_home"): ("/home", CLIENTS_ONLY),
    ("GET", "home.staff_home"): ("/staff", STAFF_ONLY),
    ("GET", "devidp.discovery"): ("/dev-idp/ftn/.well-known/openid-configuration", ANYONE_200),
    ("GET", "devidp.jwks"): ("/dev-idp/org/jwks", ANYONE_200),
    ("GET", "devidp.authorize"): ("/dev-idp/ftn/authorize", dict.fromkeys(ROLES, 400)),
    ("POST", "devidp.authorize"): ("/dev-idp/ftn/authorize", dict.fromkeys(ROLES, 400)),
    ("POST", "devidp.token"): ("/dev-idp/ftn/token", dict.fromkeys(ROLES, 400)),
    ("GET", "devidp.end_session"): ("/dev-idp/ftn/end-session", dict.fromkeys(ROLES, 400)),
}

RULES[("GET", "devtools.outbox")] = ("/dev/outbox", ANYONE_200)
