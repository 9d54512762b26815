"""Consent's parts of pages other features own: the client's front page, the client overview, the list."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from portal.content.consents import ConsentTemplate, Purpose, load_all
from portal.i18n import current_locale
from portal.i18n import lazy_gettext as _l
from portal.models import Client, ConsentEvent, ConsentEventKind
from portal.services import consent as consent_service
from portal.services.consent_status import (
    Cover,
    Shown,
    client_requests,
    column_values,
    coverage,
    events_of,
    pending_for_client,
    request_lines,
    today,
)
from portal.views import panels


def home_panel(db: Session, client: Client) -> dict[str, Any] | None:
    """Requests waiting for the client's answer, each a clear link; nothing when none wait."""
    rows = pending_for_client(db, client, today())
    return {"rows": rows} if rows else None


class RequestLine(NamedTuple):
    """A request as the client overview lists it: plain values, so the list can be kept rendered."""

    id: int
    template_key: str
    template_version: int
    status: Shown
    created_at: datetime

    @property
    def template(self) -> ConsentTemplate:
        return load_all()[(self.template_key, self.template_version)]


def overview_panel(db: Session, client: Client) -> dict[str, Any] | None:
    """Which party and purpose a valid consent covers now, and every request (logged as "consents")."""
    on = today()
    requests = [
        RequestLine(request_id, key, version, Shown(status), created_at)
        for request_id, key, version, status, created_at in request_lines(
            db, client.id, on, limit=panels.overview_rows()
        )
    ]
    covered = coverage(db, client, on)
    return {
        "coverage": covered,
        # What the coverage tables show: the template (a content file) and each purpose's consent.
        "coverage_shown_by": tuple(
            (item.template.key, item.template.version, *_covers(item.purposes)) for item in covered
        ),
        **panels.newest(requests),
        "today": on,
    }


def _covers(purposes: list[tuple[Purpose, Cover | None]]) -> tuple[tuple[Any, ...], ...]:
    return tuple(
        (purpose.key, cover.since, cover.until) if cover else (purpose.key,) for purpose, cover in purposes
    )


def export_data(db: Session, client: Client) -> list[dict[str, Any]]:
    """The client's consents for "download my data": every request and the evidence of each signature."""
    on = today()
    exported = []
    for row in client_requests(db, client.id, on):
        signature = row.signature
        events = events_of(db, row.request)
        revoked = next((event.at for event in events if event.kind == ConsentEventKind.REVOKED), None)
        exported.append(
            {
                "consent": row.template.title[current_locale()],
                "template": row.request.template_key,
                "version": row.request.template_version,
                "status": row.status.value,
                "revoked_at": revoked.isoformat() if revoked else None,
                "requested_at": row.request.created_at.isoformat(),
                "answer_by": row.request.due_on.isoformat(),
                "message": consent_service.request_message(row.request) or None,
                "reason": _reason_given(events),
                "signature": None
                if signature is None
                else {
                    "signed_at": signature.signed_at.isoformat(),
                    "language": signature.locale,
                    "text_sha256": signature.text_sha256,
                    "choices": signature.choices,
                    "identification": {"provider": signature.provider, "acr": signature.acr},
                    "valid_until": signature.valid_until.isoformat() if signature.valid_until else None,
                    "verification_code": signature.verification_code,
                    "seal": signature.seal,
                },
            }
        )
    return exported


def _reason_given(events: list[ConsentEvent]) -> str | None:
    """What was written as the reason for declining or revoking, if anything."""
    reasons = [consent_service.event_reason(event) for event in events]
    return next((reason for reason in reversed(reasons) if reason), None)


def list_column(db: Session, client_ids: list[int]) -> dict[int, Any]:
    return dict(column_values(db, client_ids, today()))


panels.register(panels.CLIENT_HOME, panels.Panel("consent", "consent/_home_panel.html", home_panel, order=20))
panels.register(
    panels.CLIENT_OVERVIEW,
    panels.Panel("consent", "consent/_overview_panel.html", overview_panel, order=20, logs_as="consents"),
)
panels.register_column(panels.Column("consent", _l("Consent"), "consent/_column.html", list_column, order=20))
