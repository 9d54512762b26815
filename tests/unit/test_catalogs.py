"""Finnish and Swedish are complete: the template is current and no entry is missing or fuzzy."""

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"


def catalog_ids(catalog):
    return {message.id if isinstance(message.id, str) else message.id[0] for message in catalog if message.id}


def test_committed_messages_pot_is_current(tmp_path):
    fresh = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "--no-location",
            "--sort-output",
            "-o",
            str(fresh),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with fresh.open("rb") as new, (TRANSLATIONS / "messages.pot").open("rb") as committed:
        assert catalog_ids(read_po(new)) == catalog_ids(read_po(committed)), "run `make i18n`"


@pytest.mark.parametrize("locale", ["fi", "sv"])
def test_every_message_is_translated_and_none_is_fuzzy(locale):
    with (TRANSLATIONS / "messages.pot").open("rb") as template:
        wanted = catalog_ids(read_po(template))
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale=locale)
    missing, fuzzy = [], []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            missing.append(message.id)
        if message.fuzzy:
            fuzzy.append(message.id)
    assert catalog_ids(catalog) >= wanted
    assert missing == []
    assert fuzzy == []


@pytest.mark.parametrize("locale", ["fi", "sv"])
def test_compiled_catalogs_match_the_sources(locale):
    directory = TRANSLATIONS / locale / "LC_MESSAGES"
    with (directory / "messages.po").open("rb") as po, (directory / "messages.mo").open("rb") as mo:
        source, compiled = read_po(po, locale=locale), read_mo(mo)
    assert entries(compiled) == entries(source), "run `make i18n` to compile the catalogs"


def entries(catalog):
    return {
        (m.id if isinstance(m.id, str) else tuple(m.id)): (
            m.string if isinstance(m.string, str) else tuple(m.string)
        )
        for m in catalog
        if m.id
    }
