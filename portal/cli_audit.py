"""Flask commands for the access log: check the chain, print its head for keeping elsewhere."""

from __future__ import annotations

import sys

import click

from portal.db import get_db
from portal.services.audit import ChainHead, audit_key, chain_head
from portal.services.audit_verify import verify_chain


@click.group("audit", help="The tamper-evident access log.")
def audit_group() -> None:
    pass


@audit_group.command("verify", help="Check every entry of the access log; exit 1 at the first bad one.")
@click.option(
    "--expect",
    "expected",
    metavar="SEQ:MAC",
    help="A head printed by `flask audit head` earlier; the chain must still contain it.",
)
def verify(expected: str | None) -> None:
    try:
        expected_head = ChainHead.parse(expected) if expected else None
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--expect") from error
    result = verify_chain(get_db(), audit_key(), expected_head=expected_head)
    if not result.ok:
        where = f"seq {result.first_bad_seq}" if result.first_bad_seq is not None else "the head"
        click.echo(f"Access log check failed at {where}: {result.reason}.", err=True)
        click.echo(f"{result.checked} entries before it are intact.", err=True)
        sys.exit(1)
    click.echo(f"Access log intact: {result.checked} entries.")


@audit_group.command("head", help="Print the head of the chain (SEQ:MAC) to keep off-site.")
def head() -> None:
    click.echo(str(chain_head(get_db())))
