"""The access log's MAC is computed over a canonical text; it must stay byte-for-byte what
json.dumps made when the chain was started, or entries written earlier would stop verifying."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from portal.services.audit import MAC_FIELDS, BatchMacs, canonical_text, compute_mac


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


def test_a_batch_computes_each_entry_s_mac_as_compute_mac_does() -> None:
    """A batch writes the values its entries share once; each entry's MAC must not change by it."""
    key = b"a key of the test"
    rows = [
        {**ENTRY, "seq": 12},
        {**ENTRY, "seq": 13, "client_id": 6, "prev_mac": "a" * 64},
        {**ENTRY, "seq": 14, "client_id": None, "object_type": "consents", "purpose": '100 % "tarkistus"'},
        {**ENTRY, "seq": 15, "purpose": "%(name)s %s %%", "object_id": "7"},
    ]
    macs = BatchMacs(key, rows)
    assert [macs.mac(row) for row in rows] == [compute_mac(key, row) for row in rows]
    shared = [{**ENTRY, "seq": 20 + n, "client_id": n, "purpose": "50 %s %(x)s %%"} for n in range(3)]
    macs = BatchMacs(key, shared)  # the purpose, shared, is written into the pattern
    assert [macs.mac(row) for row in shared] == [compute_mac(key, row) for row in shared]
