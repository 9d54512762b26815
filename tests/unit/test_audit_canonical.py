"""The access log's MAC is computed over a canonical text; it must stay byte-for-byte what
json.dumps made when the chain was started, or entries written earlier would stop verifying."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from portal.services.audit import MAC_FIELDS, canonical_text


def json_dumps_text(fields: dict[str, object]) -> str:
    content = {name: fields[name] for name in MAC_FIELDS}
    at = content["at"]
    if isinstance(at, datetime):
        content["at"] = at.astimezone(UTC).isoformat(timespec="microseconds")
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


ENTRY: dict[str, object] = {
    "seq": 12,
    "at": datetime(2026, 3, 29, 1, 2, 3, 4, tzinfo=UTC),
    "actor_id": 7,
    "actor_role": "adviser",
    "actor_org": "Kela",
    "client_id": 5,
    "action": "view",
    "object_type": "questionnaire_queue",
    "object_id": None,
    "purpose": None,
    "request_id": None,
    "outcome": "ok",
    "ip": "127.0.0.1",
    "prev_mac": "0" * 64,
}


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"actor_org": 'Hyvinvointialue "Itä" \\ Östra välfärdsområdet', "purpose": "tarkistus\nrad 2\t😀"},
        {"request_id": "\x00\x1f\x7f\u2028\u2029", "object_id": "42"},
        {"at": datetime(2026, 10, 25, 3, 30, tzinfo=timezone(timedelta(hours=3))), "actor_id": None},
        {"seq": 10**12, "client_id": None, "ip": "::1"},
    ],
)
def test_canonical_text_is_what_json_dumps_makes(changes: dict[str, object]) -> None:
    entry = {**ENTRY, **changes}
    assert canonical_text(entry) == json_dumps_text(entry)
