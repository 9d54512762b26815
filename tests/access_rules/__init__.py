"""Who may use which route: one module per feature, each with a RULES mapping, merged here.

RULES maps (method, endpoint) to (url, {role: expected status}) for the roles in ROLES.
"""

from __future__ import annotations

import importlib
import pkgutil

ROLES = ("anonymous", "client", "other_client", "adviser", "staff", "admin")

ANYONE_200 = dict.fromkeys(ROLES, 200)
CLIENTS_ONLY = {
    "anonymous": 302,
    "client": 200,
    "other_client": 200,
    "adviser": 403,
    "staff": 403,
    "admin": 403,
}
STAFF_ONLY = {
    "anonymous": 302,
    "client": 403,
    "other_client": 403,
    "adviser": 200,
    "staff": 200,
    "admin": 200,
}
ADVISER_AND_STAFF = {**STAFF_ONLY, "admin": 403}
SIGNED_IN_POST = {"anonymous": 401, **dict.fromkeys(ROLES[1:], 302)}

Rules = dict[tuple[str, str], tuple[str, dict[str, int]]]


def collect() -> Rules:
    merged: Rules = {}
    for module in pkgutil.iter_modules(__path__):
        rules: Rules = importlib.import_module(f"{__name__}.{module.name}").RULES
        overlap = set(merged) & set(rules)
        assert not overlap, f"routes listed twice: {overlap}"
        merged.update(rules)
    return merged
