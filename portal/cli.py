"""Flask commands: database migrations, content checks and the demo data."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from portal import cli_audit, cli_outbox


def init_app(app: Flask) -> None:
    app.cli.add_command(db_group)
    app.cli.add_command(content_group)
    app.cli.add_command(demo_group)
    app.cli.add_command(users_group)
    app.cli.add_command(sessions_group)
    app.cli.add_command(clients_group)
    app.cli.add_command(feedback_group)
    app.cli.add_command(cli_audit.audit_group)
    app.cli.add_command(cli_outbox.outbox_group)


@click.group("db", cls=AppGroup, help="Database schema commands.")
def db_group() -> None:
    pass


@db_group.command("upgrade", help="Apply all migrations (creates the database if needed).")
def db_upgrade() -> None:
    from portal.migrations import upgrade

    upgrade(current_app.config["DATABASE_URL"])
    click.echo("Database is at the latest migration.")


@click.group("content", cls=AppGroup, help="Versioned content files.")
def content_group() -> None:
    pass


@content_group.command("check", help="Validate every content file; exit non-zero on any problem.")
def content_check() -> None:
    from portal.content.checks import check_all

    problems = check_all()
    for problem in problems:
        click.echo(f"error: {problem}", err=True)
    if problems:
        sys.exit(1)
    click.echo("All content files are valid.")


@click.group("demo", cls=AppGroup, help="Demo data for development and the end-to-end tests.")
def demo_group() -> None:
    pass


@demo_group.command("load", help="Load the demo people and their data (safe to run again).")
def demo_load() -> None:
    from portal.db import get_db
    from portal.demo import load_demo

    if current_app.config["ENV"] == "production":
        raise click.ClickException("Demo data is never loaded in production.")
    summary = load_demo(get_db())
    click.echo(f"Demo data loaded: {summary}.")


@click.group("users", cls=AppGroup, help="Staff accounts and roles.")
def users_group() -> None:
    pass


@users_group.command("grant", help="Give a staff member a role: adviser, staff or admin.")
@click.argument("email")
@click.argument("role")
def users_grant(email: str, role: str) -> None:
    from portal.db import get_db
    from portal.services.identity import grant_role

    try:
        staff = grant_role(get_db(), email, role)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{staff.email} now has the roles: {', '.join(sorted(staff.role_names))}.")


@users_group.command("revoke", help="Take a role away from a staff member.")
@click.argument("email")
@click.argument("role")
def users_revoke(email: str, role: str) -> None:
    from portal.db import get_db
    from portal.services.identity import revoke_role

    staff = revoke_role(get_db(), email, role)
    if staff is None:
        raise click.ClickException(f"No staff member with the e-mail address {email}.")
    click.echo(f"{staff.email} now has the roles: {', '.join(sorted(staff.role_names)) or 'none'}.")


@click.group("sessions", cls=AppGroup, help="Server-side sessions.")
def sessions_group() -> None:
    pass


@sessions_group.command("purge", help="Delete sessions past their idle or absolute limit.")
def sessions_purge() -> None:
    from portal.db import get_db
    from portal.identity.sessions import purge_expired

    click.echo(f"Removed {purge_expired(get_db())} expired sessions.")


@click.group("feedback", cls=AppGroup, help="Accessibility feedback.")
def feedback_group() -> None:
    pass


@feedback_group.command("purge", help="Delete feedback handled longer ago than PORTAL_FEEDBACK_KEEP_DAYS.")
def feedback_purge() -> None:
    from portal.db import get_db
    from portal.services.feedback import purge_handled

    days = int(current_app.config["FEEDBACK_KEEP_DAYS"])
    removed = purge_handled(get_db(), keep_days=days)
    click.echo(f"Deleted feedback handled more than {days} days ago: {removed}.")


@click.group("clients", cls=AppGroup, help="Clients and the professionals assigned to them.")
def clients_group() -> None:
    pass


@clients_group.command(
    "assign",
    help="Assign a professional (by e-mail) to a client. The command asks for the client's personal "
    "identity code, so that it stays out of the shell's history and the list of processes.",
)
@click.argument("email")
@click.option(
    "--personal-identity-code",
    prompt="The client's personal identity code",
    hide_input=True,
    help="Asked for when not given; give it here only from a script that reads it from a file.",
)
def clients_assign(email: str, personal_identity_code: str) -> None:
    from sqlalchemy import select

    from portal.db import get_db
    from portal.identity.hetu import InvalidHetu
    from portal.models import StaffUser
    from portal.services import clients
    from portal.services.audit import SYSTEM

    db = get_db()
    staff = db.scalar(select(StaffUser).where(StaffUser.email == email.strip().lower()))
    if staff is None or not staff.role_names:
        raise click.ClickException(f"No professional with a role has the e-mail address {email}.")
    try:
        client = clients.find_or_create_by_hetu(
            db,
            SYSTEM,
            personal_identity_code,
            allow_test_codes=current_app.config["ENV"] != "production",
            purpose="assigned by an admin",
        )
    except InvalidHetu as error:
        raise click.ClickException("That is not a valid personal identity code.") from error
    clients.assign(db, SYSTEM, client, staff, responsibility=staff.role)
    click.echo(f"{staff.email} is now assigned to the client (id {client.id}).")
