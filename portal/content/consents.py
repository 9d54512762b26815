"""Consent templates: versioned fi/sv consent texts, their parties, data flows, purposes and categories."""

from __future__ import annotations

import calendar
import hashlib
import re
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from markupsafe import Markup
from stdnum.fi import ytunnus

from portal.content import CONTENT_DIR, ContentError
from portal.i18n import LOCALES

CONSENTS_DIR = CONTENT_DIR / "consents"
PARTIES_FILE = CONTENT_DIR / "parties.toml"
# The professionals' words for titles and labels that speak to the client ("your answers").
STAFF_WORDS_FILE = CONTENT_DIR / "consent_staff_words.toml"
STAFF_WORD_KINDS = ("title", "purpose", "category")
# Events that can end a consent before its months run out; the services know how to detect them.
VALID_UNTIL_RULES = ("client_relationship_end",)

_FILE_NAME = re.compile(r"^([a-z][a-z0-9_]*)\.v([1-9][0-9]*)\.toml$")
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
# Anything that looks like a tag. The renderer would escape it, but the signed text must hold no markup.
_HTML_TAG = re.compile(r"<\s*/?\s*[A-Za-z!?]")
# CommonMark with raw HTML off, as for the prose pages.
_markdown = MarkdownIt("commonmark", {"html": False, "typographer": False})

# The fixed words of the canonical text. They are not gettext strings on purpose: a catalog change
# must never change the SHA-256 of a text a client has already signed.
_WORDS = {
    "parties": {"fi": "Osapuolet", "sv": "Parter"},
    "flows": {"fi": "Kuka antaa tietoja kenelle", "sv": "Vem lämnar ut uppgifter till vem"},
    "purposes": {"fi": "Mihin tietoja käytetään", "sv": "Vad uppgifterna används till"},
    "categories": {"fi": "Mitä tietoja vaihdetaan", "sv": "Vilka uppgifter som utbyts"},
    "validity": {"fi": "Voimassaolo", "sv": "Giltighet"},
    "refusal": {"fi": "Oikeus kieltäytyä", "sv": "Rätt att vägra"},
    "revocation": {"fi": "Suostumuksen peruminen", "sv": "Återkallande av samtycket"},
    "optional": {"fi": "valinnainen", "sv": "valfritt"},
    "health": {"fi": "terveystieto", "sv": "hälsouppgift"},
    "business_id": {"fi": "Y-tunnus", "sv": "FO-nummer"},
    "privacy": {"fi": "Tietosuojaseloste", "sv": "Dataskyddsbeskrivning"},
}

Texts = dict[str, str]


@dataclass(frozen=True)
class Party:
    key: str
    name: Texts
    short_name: Texts
    business_id: str | None
    privacy_notice_url: str | None


@dataclass(frozen=True)
class Flow:
    from_party: str
    to_party: str
    categories: tuple[str, ...]


@dataclass(frozen=True)
class Purpose:
    key: str
    label: Texts
    optional: bool
    label_for_staff: Texts  # said of the client, not to them; not part of the signed text


@dataclass(frozen=True)
class Category:
    key: str
    label: Texts
    description: Texts
    optional: bool
    health: bool
    label_for_staff: Texts


@dataclass(frozen=True)
class ConsentTemplate:
    key: str
    version: int
    title: Texts
    title_for_staff: Texts
    summary: Texts
    body: Texts
    parties: tuple[Party, ...]
    flows: tuple[Flow, ...]
    purposes: tuple[Purpose, ...]
    categories: tuple[Category, ...]
    validity_months: int | None
    valid_until_rule: str | None
    validity: Texts
    refusal: Texts
    revocation: Texts

    def party(self, key: str) -> Party:
        return next(party for party in self.parties if party.key == key)

    def category(self, key: str) -> Category:
        return next(category for category in self.categories if category.key == key)


class Reader:
    """Reads one TOML table and collects every problem, so that an editor sees them all at once."""

    def __init__(self, data: Mapping[str, Any], where: str, problems: list[str]) -> None:
        self.data = data
        self.where = where
        self.problems = problems

    def problem(self, message: str) -> None:
        self.problems.append(f"{self.where}: {message}")

    def only(self, *fields: str) -> None:
        # A misspelt optional field would otherwise vanish without a word.
        for field in sorted(set(self.data) - set(fields)):
            self.problem(f"unknown field {field!r}")

    def key(self, field: str = "key") -> str:
        value = self.data.get(field)
        if not isinstance(value, str) or not _KEY.match(value):
            self.problem(f"{field} must be a lower-case identifier (a-z, 0-9, _)")
            return ""
        return value

    def texts(self, field: str, *, required: bool = True) -> Texts:
        value = self.data.get(field, {})
        if not isinstance(value, dict):
            self.problem(f"{field} must have fi and sv texts")
            return {}
        for extra in sorted(set(value) - set(LOCALES)):
            self.problem(f"{field}.{extra}: unknown language")
        given = {locale: value.get(locale) for locale in LOCALES}
        if not required and not any(isinstance(text, str) and text.strip() for text in given.values()):
            return {}
        texts: Texts = {}
        for locale, text in given.items():
            if not isinstance(text, str) or not text.strip():
                self.problem(f"{field}.{locale} is missing")
            elif _HTML_TAG.search(text):
                self.problem(f"{field}.{locale} contains raw HTML; use Markdown")
            elif "![" in text:
                self.problem(f"{field}.{locale} contains an image; images are not allowed")
            else:
                texts[locale] = normalise(text)
        return texts

    def flag(self, field: str) -> bool:
        value = self.data.get(field, False)
        if not isinstance(value, bool):
            self.problem(f"{field} must be true or false")
            return False
        return value

    def count(self, field: str) -> int | None:
        value = self.data.get(field)
        if value is None:
            return None
        if type(value) is not int or value < 1:
            self.problem(f"{field} must be a positive whole number")
            return None
        return value

    def tables(self, field: str) -> list[Reader]:
        value = self.data.get(field, [])
        if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
            self.problem(f"{field} must be a list of tables ([[{field}]])")
            return []
        where = f"{self.where}: {field}"
        return [Reader(e, f"{where} {e.get('key') or n}", self.problems) for n, e in enumerate(value, 1)]


def normalise(text: str) -> str:
    """One spelling of the same text, whatever the editor saved: NFC, \\n line ends, no trailing spaces."""
    lines = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def split_file_name(path: Path) -> tuple[str, int] | None:
    match = _FILE_NAME.match(path.name)
    return (match[1], int(match[2])) if match else None


def read_versioned_file(path: Path, problems: list[str]) -> Reader | None:
    """The file's table, once its name is <key>.v<version>.toml and the key and version inside agree."""
    name = split_file_name(path)
    if name is None:
        problems.append(f"{path.name}: the file name must be <key>.v<version>.toml")
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        problems.append(f"{path.name}: {error}")
        return None
    reader = Reader(data, path.name, problems)
    if data.get("key") != name[0]:
        reader.problem(f"key {data.get('key')!r} differs from the file name ({name[0]!r})")
    if data.get("version") != name[1] or type(data.get("version")) is not int:
        reader.problem(f"version {data.get('version')!r} differs from the file name ({name[1]})")
    return reader


def template_keys(directory: Path = CONSENTS_DIR) -> set[str]:
    """The template keys present, by file name, for other content that refers to them."""
    return {name[0] for path in directory.glob("*.toml") if (name := split_file_name(path))}


def read_parties(path: Path = PARTIES_FILE) -> dict[str, Party]:
    problems: list[str] = []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ContentError(f"{path.name}: {error}") from error
    parties: dict[str, Party] = {}
    for entry in Reader(data, path.name, problems).tables("party"):
        entry.only("key", "name", "short_name", "business_id", "privacy_notice_url")
        key = entry.key()
        business_id = str(entry.data.get("business_id") or "") or None
        url = str(entry.data.get("privacy_notice_url") or "") or None
        if business_id and not ytunnus.is_valid(business_id):
            entry.problem(f"business_id {business_id!r} fails the business ID checksum")
        if url and not url.startswith("https://"):
            entry.problem("privacy_notice_url must start with https://")
        if key in parties:
            entry.problem(f"duplicate party {key!r}")
        parties[key] = Party(key, entry.texts("name"), entry.texts("short_name"), business_id, url)
    if problems or not parties:
        raise ContentError("; ".join(problems) or f"{path.name}: no parties")
    return parties


@cache
def load_party_registry(path: Path = PARTIES_FILE) -> dict[str, Party]:
    return read_parties(path)


@cache
def _party_names() -> dict[str, Texts]:
    """Each party's name and short name in both languages, found by any one of them."""
    names: dict[str, Texts] = {}
    for party in load_party_registry().values():
        for texts in (party.name, party.short_name):
            for text in texts.values():
                names[text.casefold()] = texts
    return names


def organisation_name(organisation: str, locale: str) -> str:
    """A professional's organisation in the reader's language when it is one of the parties.

    The organisation comes from the staff sign-in in one language ("Keski-Uudenmaan
    hyvinvointialue"); a Swedish-speaking client reads "Mellersta Nylands välfärdsområde".
    """
    texts = _party_names().get(organisation.strip().casefold())
    return texts.get(locale, organisation) if texts else organisation


_FIELDS = ("key", "version", "title", "summary", "body", "parties", "flow", "purpose", "category",
           "validity_months", "valid_until_rule", "validity", "refusal", "revocation")  # fmt: skip


def _parse(
    path: Path, registry: Mapping[str, Party], problems: list[str], staff_words: StaffWords | None = None
) -> ConsentTemplate | None:
    start = len(problems)
    file = read_versioned_file(path, problems)
    if file is None:
        return None
    file.only(*_FIELDS)
    words = staff_words if staff_words is not None else StaffWords({}, {}, {})
    parties = _parties(file, registry)
    purposes = [_purpose(entry, words) for entry in file.tables("purpose")]
    categories = [_category(entry, words) for entry in file.tables("category")]
    for kind, items in (("purpose", purposes), ("category", categories)):
        keys = [item.key for item in items]
        for key in sorted({key for key in keys if keys.count(key) > 1}):
            file.problem(f"duplicate {kind} {key!r}")
        if not items or all(item.optional for item in items):
            file.problem(f"needs at least one [[{kind}]] that is not optional")
    flows = [_flow(entry, parties, categories) for entry in file.tables("flow")]
    if not flows:
        file.problem("needs at least one [[flow]]")
    pairs = [(flow.from_party, flow.to_party) for flow in flows]
    for pair in sorted({pair for pair in pairs if pairs.count(pair) > 1}):
        file.problem(f"flow {pair[0]} -> {pair[1]} given twice")
    used = {key for flow in flows for key in flow.categories}
    for category in categories:
        if category.key not in used:
            file.problem(f"category {category.key!r} is in no flow")
    for party in parties:
        if not any(party.key in pair for pair in pairs):
            file.problem(f"party {party.key!r} is in no flow")
    months = file.count("validity_months")
    rule = file.data.get("valid_until_rule")
    if rule is not None and rule not in VALID_UNTIL_RULES:
        file.problem(f"valid_until_rule {rule!r} is not one of {', '.join(VALID_UNTIL_RULES)}")
        rule = None
    if months is None and rule is None:
        file.problem("validity missing: give validity_months, valid_until_rule or both")
    title = file.texts("title")
    template = ConsentTemplate(
        key=str(file.data.get("key")),
        version=int(file.data.get("version") or 0),
        title=title,
        title_for_staff=words.title.get(str(file.data.get("key")), title),
        summary=file.texts("summary"),
        body=file.texts("body"),
        parties=tuple(parties),
        flows=tuple(flows),
        purposes=tuple(purposes),
        categories=tuple(categories),
        validity_months=months,
        valid_until_rule=rule,
        validity=file.texts("validity"),
        refusal=file.texts("refusal"),
        revocation=file.texts("revocation"),
    )
    return template if len(problems) == start else None


def _parties(file: Reader, registry: Mapping[str, Party]) -> list[Party]:
    keys = file.data.get("parties")
    if not isinstance(keys, list) or not keys:
        file.problem("parties must list at least one party key from parties.toml")
        return []
    parties: list[Party] = []
    for key in keys:
        if not isinstance(key, str) or key not in registry:
            file.problem(f"unknown party {key!r} (not in parties.toml)")
        elif registry[key] in parties:
            file.problem(f"party {key!r} listed twice")
        else:
            parties.append(registry[key])
    return parties


def _purpose(entry: Reader, words: StaffWords) -> Purpose:
    entry.only("key", "label", "optional")
    key, label = entry.key(), entry.texts("label")
    return Purpose(key, label, entry.flag("optional"), words.purpose.get(key, label))


def _category(entry: Reader, words: StaffWords) -> Category:
    entry.only("key", "label", "description", "optional", "health")
    key, label = entry.key(), entry.texts("label")
    return Category(
        key,
        label,
        entry.texts("description", required=False),
        entry.flag("optional"),
        entry.flag("health"),
        words.category.get(key, label),
    )


@dataclass(frozen=True)
class StaffWords:
    """The professionals' titles and labels by template, purpose and category key (any version)."""

    title: dict[str, Texts]
    purpose: dict[str, Texts]
    category: dict[str, Texts]


def read_staff_words(path: Path, problems: list[str]) -> StaffWords:
    """The file's words; a key must name a template, purpose or category, each in fi and sv."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        problems.append(f"{path.name}: {error}")
        return StaffWords({}, {}, {})
    file = Reader(data, path.name, problems)
    file.only(*STAFF_WORD_KINDS)
    found: dict[str, dict[str, Texts]] = {}
    for kind in STAFF_WORD_KINDS:
        table = data.get(kind, {})
        if not isinstance(table, dict):
            file.problem(f"{kind} must be a table of keys ([{kind}.<key>])")
            table = {}
        found[kind] = {key: Reader(table, f"{path.name}: {kind}", problems).texts(key) for key in table}
    return StaffWords(found["title"], found["purpose"], found["category"])


def _staff_words_used(
    where: str, words: StaffWords, templates: list[ConsentTemplate], problems: list[str]
) -> None:
    # A key no template has is a misspelling: the label it was meant for would stay the client's.
    known = {
        "title": {t.key for t in templates},
        "purpose": {p.key for t in templates for p in t.purposes},
        "category": {c.key for t in templates for c in t.categories},
    }
    for kind, keys in (("title", words.title), ("purpose", words.purpose), ("category", words.category)):
        for key in sorted(set(keys) - known[kind]):
            problems.append(f"{where}: {kind} {key!r} is in no consent template")


def _flow(entry: Reader, parties: list[Party], categories: list[Category]) -> Flow:
    entry.only("from", "to", "categories")
    listed = {party.key for party in parties}
    ends = {field: entry.data.get(field) for field in ("from", "to")}
    for field, key in ends.items():
        if not isinstance(key, str) or key not in listed:
            entry.problem(f"{field} party {key!r} is not in the template's parties")
    if ends["from"] == ends["to"]:
        entry.problem("a party cannot disclose to itself")
    declared = {category.key for category in categories}
    keys = entry.data.get("categories")
    if not isinstance(keys, list) or not keys:
        entry.problem("categories must list at least one category")
        keys = []
    for key in keys:
        if not isinstance(key, str) or key not in declared:
            entry.problem(f"category {key!r} is not declared as a [[category]]")
    return Flow(str(ends["from"]), str(ends["to"]), tuple(str(key) for key in keys))


def load_template(path: Path, registry: Mapping[str, Party] | None = None) -> ConsentTemplate:
    problems: list[str] = []
    template = _parse(path, registry if registry is not None else load_party_registry(), problems)
    if template is None:
        raise ContentError("; ".join(problems))
    return template


def check_consents(
    directory: Path = CONSENTS_DIR, parties_file: Path = PARTIES_FILE, words_file: Path | None = None
) -> list[str]:
    """Every problem in the party registry, every template and the professionals' words (by default
    the shipped words with the shipped templates, and none with templates elsewhere)."""
    try:
        registry = read_parties(parties_file)
    except ContentError as error:
        return [str(error)]
    problems: list[str] = []
    if words_file is None and directory == CONSENTS_DIR:
        words_file = STAFF_WORDS_FILE
    words = read_staff_words(words_file, problems) if words_file else StaffWords({}, {}, {})
    paths = sorted(directory.glob("*.toml"))
    if not paths:
        problems.append(f"{directory.name}: no consent templates")
    templates = [_parse(path, registry, problems, words) for path in paths]
    if words_file:
        _staff_words_used(words_file.name, words, [t for t in templates if t is not None], problems)
    return problems


@cache
def load_all(directory: Path = CONSENTS_DIR) -> dict[tuple[str, int], ConsentTemplate]:
    """Every template by (key, version); refuses them all if any one is wrong, as start-up should."""
    registry = load_party_registry()
    problems: list[str] = []
    words = read_staff_words(STAFF_WORDS_FILE, problems)
    templates = [_parse(path, registry, problems, words) for path in sorted(directory.glob("*.toml"))]
    if problems or not templates:
        raise ContentError("; ".join(problems) or f"{directory.name}: no consent templates")
    return {(t.key, t.version): t for t in templates if t is not None}


def latest(key: str, directory: Path = CONSENTS_DIR) -> ConsentTemplate:
    """The newest published version of a template; KeyError when there is none."""
    versions = [template for (k, _), template in load_all(directory).items() if k == key]
    if not versions:
        raise KeyError(key)
    return max(versions, key=lambda template: template.version)


def expires_on(template: ConsentTemplate, signed_on: date) -> date | None:
    """The last day a consent signed on this day can be valid by its months; None when only a rule ends it."""
    if template.validity_months is None:
        return None
    months = signed_on.month - 1 + template.validity_months
    year, month = signed_on.year + months // 12, months % 12 + 1
    return date(year, month, min(signed_on.day, calendar.monthrange(year, month)[1]))


def rendered_text(template: ConsentTemplate, locale: str) -> str:
    """The canonical text shown to the client, whose SHA-256 is kept as evidence: same input, same bytes."""
    if locale not in LOCALES:
        raise ValueError(f"unknown locale {locale!r}")
    words = {name: texts[locale] for name, texts in _WORDS.items()}
    names = {party.key: party.short_name[locale] for party in template.parties}
    labels = {category.key: category.label[locale] for category in template.categories}

    def line(text: str, *marks: tuple[str, bool]) -> str:
        shown = [words[mark] for mark, on in marks if on]
        return f"- {text}" + (f" ({', '.join(shown)})" if shown else "")

    parties = []
    for party in template.parties:
        text = party.name[locale]
        # A proper short name (Kela, FPA) is introduced here; a generic one (työllisyysalue) needs none.
        if party.short_name[locale][:1].isupper():
            text += f" ({party.short_name[locale]})"
        if party.business_id:
            text += f", {words['business_id']} {party.business_id}"
        if party.privacy_notice_url:
            text += f". {words['privacy']}: {party.privacy_notice_url}"
        parties.append(line(text))
    flows = [
        line(f"{names[f.from_party]} → {names[f.to_party]}: {', '.join(labels[k] for k in f.categories)}")
        for f in template.flows
    ]
    purposes = [line(p.label[locale], ("optional", p.optional)) for p in template.purposes]
    categories = [
        line(
            f"{c.label[locale]}: {c.description[locale]}" if c.description else c.label[locale],
            ("health", c.health),
            ("optional", c.optional),
        )
        for c in template.categories
    ]
    sections = [
        template.title[locale],
        template.summary[locale],
        template.body[locale],
        "\n".join([words["parties"], *parties]),
        "\n".join([words["flows"], *flows]),
        "\n".join([words["purposes"], *purposes]),
        "\n".join([words["categories"], *categories]),
        f"{words['validity']}\n{template.validity[locale]}",
        f"{words['refusal']}\n{template.refusal[locale]}",
        f"{words['revocation']}\n{template.revocation[locale]}",
    ]
    return normalise("\n\n".join(sections)) + "\n"


def text_sha256(template: ConsentTemplate, locale: str) -> str:
    return hashlib.sha256(rendered_text(template, locale).encode("utf-8")).hexdigest()


def render_markdown(text: str) -> Markup:
    return Markup(_markdown.render(text))  # noqa: S704 - html is off and the loader refused tags


def render_body_html(template: ConsentTemplate, locale: str) -> Markup:
    return render_markdown(template.body[locale])


def validate() -> None:
    """Start-up: refuse to serve with any template or party wrong."""
    load_all()
