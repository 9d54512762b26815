"""The client's own data: contact preferences, who has used the data, and "download my data"."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from portal.auditing import current_actor
from portal.db import get_db
from portal.forms.mydata import ContactForm
from portal.i18n import current_locale, today
from portal.i18n import lazy_gettext as _l
from portal.identity import hetu
from portal.identity.access import clients_only, current_client, form_shown_on, keeps_typed
from portal.identity.kept_forms import form_or_kept
from portal.models import Client
from portal.phone_numbers import readable
from portal.services import mydata as service
from portal.services import pathway as pathway_service
from portal.services.booking.queries import export_for_client as booking_export
from portal.services.questionnaire import export_for_client as questionnaire_export
from portal.urls import page_number
from portal.views import panels
from portal.views.consent.parts import export_data as consent_export
from portal.views.mydata_labels import CHANNEL_LABELS, ROLE_LABELS, event_label
from portal.views.mydata_summary import summarise

bp = Blueprint("mydata", __name__, url_prefix="/my-data")
clients_only(bp)
PER_PAGE = 20


@bp.get("")
def overview() -> str:
    return render_template("mydata/overview.html", client=current_client(), channel_labels=CHANNEL_LABELS)


@bp.route("/contact", methods=["GET", "POST"])
@keeps_typed
def contact() -> str | Response | tuple[str, int]:
    client = current_client()
    # What was sent after the session had timed out comes back in place of the saved details.
    form, kept = form_or_kept(
        ContactForm,
        data=None
        if request.method == "POST"
        else {
            "email": client.email,
            "phone": readable(client.phone),
            "notify_by": client.notify_by,
            "locale": client.locale,
        },
    )
    if form.is_submitted():
        if not form.validate():
            return render_template("mydata/contact.html", form=form), 422
        service.update_contact(get_db(), current_actor(), client, **form.cleaned())
        return redirect(url_for("mydata.overview", saved=1))
    return render_template("mydata/contact.html", form=form, kept=kept)


@bp.get("/access-log")
def access_log() -> str | Response:
    client = current_client()
    page = page_number()
    rows, total = service.access_log_page(
        get_db(), client, page, PER_PAGE, with_names=current_app.config["ACCESS_LOG_SHOW_NAMES"]
    )
    pages = max(1, -(-total // PER_PAGE))
    if page > pages:
        # Past the last page (an old link, a typed number): the last page, not "nobody has used it".
        return redirect(url_for("mydata.access_log", page=pages))
    return render_template(
        "mydata/access_log.html",
        rows=rows,
        page=page,
        pages=pages,
        total=total,
        role_labels=ROLE_LABELS,
        event_label=event_label,
    )


@bp.get("/access-log/older")
def older_log() -> str:
    return render_template("mydata/older_log.html")


@bp.post("/download")
@form_shown_on("mydata.overview")
def download() -> Response:
    client = current_client()
    db = get_db()
    sections = {key: export.collect(db, client) for key, export in sorted(panels.DATA_EXPORTS.items())}
    titles = {key: export.title for key, export in panels.DATA_EXPORTS.items()}
    # The summary reads in the pages' order (basic information first); the JSON keeps its sorted keys.
    in_order = sorted(sections, key=lambda key: (panels.DATA_EXPORTS[key].order, key))
    summary = summarise({key: sections[key] for key in in_order}, titles)
    locale = current_locale()
    json_name = f"{service.archive_file_stem(locale)}.json"
    page = render_template("mydata/archive.html", parts=summary.parts, created=today(), json_name=json_name)
    archive = service.build_archive(sections, page, locale)
    service.record_export(db, current_actor(), client)
    response = Response(archive, mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="polku-{today().isoformat()}.zip"'
    return response


def _profile(db: Any, client: Client) -> dict[str, Any]:
    return {
        "name": client.full_name,
        "personal_identity_code": hetu.decrypt(client.hetu_encrypted),
        "email": client.email,
        "mobile_phone": client.phone,
        "messages_by": client.notify_by,
        "language": client.locale,
        "municipality": client.municipality,
        "first_seen": client.created_at,
    }


def _pathways(db: Any, client: Client) -> list[dict[str, Any]]:
    from sqlalchemy import select

    from portal.models import Pathway

    exported = []
    for pathway in db.scalars(select(Pathway).where(Pathway.client_id == client.id).order_by(Pathway.id)):
        template = pathway_service.template_of(pathway)
        locale = current_locale()
        exported.append(
            {
                "pathway": template.title[locale],
                "status": pathway.status,
                "current_step": template.step(pathway.current_step).title[locale],
                "started": pathway_service.began_on(pathway),
                "closed": pathway.closed_at,
                "events": [
                    {
                        "date": event.effective_on,
                        "kind": event.kind,
                        "step": event.step,
                        "note": pathway_service.decrypt_note(event) if event.note_for_client else None,
                    }
                    for event in pathway.events
                    if event.visible_to_client
                ],
            }
        )
    return exported


panels.register_export(panels.Export("profile", _l("Your basic information"), _profile, order=10))
panels.register_export(panels.Export("pathways", _l("Your pathways"), _pathways, order=20))


def _access_log(db: Any, client: Client) -> list[dict[str, Any]]:
    with_names = bool(current_app.config["ACCESS_LOG_SHOW_NAMES"])
    return service.access_log_export(db, client, with_names=with_names)


panels.register_export(panels.Export("access_log", _l("Who has used your data"), _access_log, order=90))
panels.register_export(panels.Export("consents", _l("Your consents"), consent_export, order=30))
panels.register_export(panels.Export("bookings", _l("Your appointments"), booking_export, order=50))
panels.register_export(
    panels.Export("questionnaires", _l("Your questionnaire answers"), questionnaire_export, order=40)
)
