"""The professional's clients: the list, finding a client by hetu, and the client overview hub."""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple

from flask import Blueprint, abort, current_app, redirect, render_template, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response

from portal.auditing import current_actor, log_client_views, log_views
from portal.db import get_db
from portal.forms.clients import AssignForm, ClientSearchForm, FindClientForm
from portal.i18n import lazy_gettext as _l
from portal.i18n import local_date
from portal.identity import hetu
from portal.identity.access import current_staff, form_shown_on, roles_only
from portal.models import Client, Role, StaffRole, StaffUser
from portal.services import clients as client_service
from portal.services.counting import Listing, count_params, counted
from portal.urls import page_number
from portal.views import list_search, panels

bp = Blueprint("clients", __name__, url_prefix="/staff/clients")
roles_only(bp, Role.ADVISER, Role.STAFF)
PAGE_SIZE = 25


class ClientRow(NamedTuple):
    """A client as the list shows them: plain values, so the rendered row can be kept."""

    id: int
    label: str  # the name, or for a client not named yet the birth date (client_label)
    values: tuple[Any, ...]  # each column's value, in the order of the columns


@bp.app_template_filter("client_label")
def client_label(client: Client) -> str:
    """The client's name; for one known only by the identity code a professional typed, "name not
    yet known" with the date of birth, so that two such clients are told apart on every page."""
    if client.full_name:
        return client.full_name
    born = _born(client)
    if born is None:
        return str(_l("Name not yet known"))
    return str(_l("Name not yet known, born %(date)s", date=local_date(born, "d.M.yyyy")))


def _born(client: Client) -> date | None:
    """The date of birth of a client known only by the identity code a professional typed."""
    if client.full_name:
        return None
    try:
        return hetu.birth_date(hetu.decrypt(client.hetu_encrypted))
    except (ValueError, KeyError):
        return None


def client_for_staff_or_404(client_id: int) -> Client:
    """A client this professional works with; any other client is simply not found."""
    client = client_service.client_for_staff(get_db(), current_staff(), client_id)
    if client is None:
        abort(404)
    return client


@bp.post("")
def search_clients() -> str | tuple[str, int] | Response:
    """A search sent from the list; its term is kept in the session (portal.views.list_search)."""
    form = ClientSearchForm()
    if not form.validate():
        # The search with its error and no list: the whole list under it would read as what was found.
        return render_template("clients/list.html", form=form), 422
    return list_search.remember_and_show("clients", (form.q.data or "").strip(), "clients.my_clients")


@bp.get("")
def my_clients() -> str | tuple[str, int]:
    db = get_db()
    staff = current_staff()
    term = list_search.recalled("clients")
    form = ClientSearchForm(formdata=None, data={"q": term})
    query = client_service.assigned_clients(staff)
    if term:
        if hetu.is_valid(term, allow_test_codes=True):
            query = query.where(Client.hetu_hash == hetu.lookup(hetu.normalise(term)))
        else:
            query = query.where(client_service.name_matches(term))
    page = page_number()
    offset = (page - 1) * PAGE_SIZE
    if term:
        total = db.scalar(counted(query), count_params()) or 0
        limit = Listing.rows_to_read(total, PAGE_SIZE)
        ordered = query.order_by(Client.family_name, Client.given_name, Client.id)
        found = db.scalars(ordered.limit(limit).offset(offset)).all()
    else:
        total = client_service.assigned_count(db, staff)
        limit = Listing.rows_to_read(total, PAGE_SIZE)
        found = client_service.assigned_page(db, staff, limit=limit, offset=offset)
    listing = Listing.of(list(found), total, page, PAGE_SIZE)
    clients = listing.rows
    ids = [client.id for client in clients]
    columns = panels.column_data(db, ids)
    rows = [
        ClientRow(
            client.id,
            client_label(client),
            tuple(values.get(client.id) for _column, values in columns),
        )
        for client in clients
    ]
    log_views(db, client_ids=ids, object_type="client_list", purpose="search" if term else None)
    return render_template(
        "clients/list.html",
        form=form,
        rows=rows,
        columns=[column for column, _values in columns],
        listing=listing,
        page=page,
        term=term,
    )


@bp.route("/find", methods=["GET", "POST"])
def find() -> str | Response | tuple[str, int]:
    form = FindClientForm(allow_test_codes=current_app.config["ENV"] != "production")
    if form.is_submitted():
        if not form.validate():
            return render_template("clients/find.html", form=form), 422
        db = get_db()
        client = client_service.find_or_create_by_hetu(
            db,
            current_actor(),
            form.hetu.data or "",
            allow_test_codes=form.allow_test_codes,
            purpose="find client by personal identity code",
        )
        client_service.assign(
            db, current_actor(), client, current_staff(), responsibility=current_staff().role
        )
        return redirect(url_for("clients.overview", client_id=client.id))
    return render_template("clients/find.html", form=form)


@bp.get("/<int:client_id>")
def overview(client_id: int) -> str:
    return overview_page(client_for_staff_or_404(client_id))


def overview_page(
    client: Client, *, assign_form: AssignForm | None = None, offer_form: FlaskForm | None = None
) -> str:
    """The client overview. A form of the page sent wrong (assigning an adviser, offering an
    appointment type) comes back in it with its errors, in the summary and at the field."""
    db = get_db()
    sections = panels.render_data(panels.CLIENT_OVERVIEW, db, client)
    assignments = client_service.working_with(db, client.id)
    shown = ["client_overview"] + [panel.logs_as for panel, _data in sections if panel.logs_as]
    log_client_views(db, client_id=client.id, object_types=shown)
    if assign_form is None and current_staff().has_role(Role.STAFF):
        assign_form = _assign_form()
    return render_template(
        "clients/overview.html",
        client=client,
        sections=sections,
        assignments=assignments,
        assign_form=assign_form,
        offer_form=offer_form,
        form=offer_form if offer_form is not None else assign_form,
        masked_hetu=hetu.mask(hetu.decrypt(client.hetu_encrypted)),
    )


def _assign_form() -> AssignForm:
    form = AssignForm()
    advisers = (
        get_db()
        .scalars(
            select(StaffUser)
            .join(StaffRole, StaffRole.staff_user_id == StaffUser.id)
            .where(StaffRole.role == Role.ADVISER, StaffUser.active.is_(True))
            .order_by(StaffUser.name)
            .distinct()
        )
        .all()
    )
    form.staff_user_id.choices = [(adviser.id, adviser.name) for adviser in advisers]
    return form


@bp.post("/<int:client_id>/assign")
@form_shown_on("clients.overview")
def assign(client_id: int) -> Response | str | tuple[str, int]:
    if not current_staff().has_role(Role.STAFF):
        abort(403)
    client = client_for_staff_or_404(client_id)
    form = _assign_form()
    if not form.validate_on_submit():
        return overview_page(client, assign_form=form), 422
    adviser = get_db().get(StaffUser, form.staff_user_id.data)
    if adviser is None or not adviser.has_role(Role.ADVISER):
        abort(404)
    client_service.assign(get_db(), current_actor(), client, adviser, responsibility="adviser")
    return redirect(url_for("clients.overview", client_id=client.id))
