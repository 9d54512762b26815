"""One entry point that runs every content validation, for start-up and `flask content check`."""

from __future__ import annotations

from flask import current_app

from portal.content import ContentError, appointments, consents, pathways, questionnaires
from portal.content.contact import load_channels
from portal.content.pages import check_pages


def check_all() -> list[str]:
    problems = list(check_pages())
    problems += consents.check_consents()
    problems += questionnaires.check_questionnaires()
    problems += pathways.check_pathways()
    problems += appointments.check_appointments()
    try:
        load_channels.cache_clear()
        load_channels(current_app.config["CONTACT_FILE"])
    except (ContentError, KeyError, OSError, ValueError) as error:
        problems.append(f"contact: {error}")
    return problems


def validate_at_start_up() -> None:
    """The portal refuses to start with content it must not serve."""
    problems = check_all()
    if problems:
        raise ContentError("Content files are not valid: " + "; ".join(problems))
