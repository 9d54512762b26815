"""The PDF receipt of a signed consent, in the language it was signed in.

Pure Python (fpdf2) with the DejaVu fonts that ship with Polku: nothing else is read from the
disk and nothing is fetched, so a receipt looks the same everywhere and renders Šalin, ä, ö and å.

The receipt is a tagged PDF: every line drawn belongs to a heading or a paragraph of the document's
structure, in reading order, and the page footer is marked as an artifact, so that a screen reader
reads it as it reads the page it came from (the accessibility requirements cover documents too).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from flask_babel import force_locale, gettext
from fpdf import FPDF, ViewerPreferences
from fpdf.enums import WrapMode, XPos, YPos

from portal import resource_dir
from portal.content.consents import ConsentTemplate
from portal.i18n import local_date, local_datetime
from portal.identity.providers import ACR_RANK
from portal.models import Client, ConsentSignature
from portal.services.consent_document import blocks, plain
from portal.services.consent_seal import format_code

FONT_DIR = resource_dir("static") / "fonts"
FONT = "DejaVu"
MARGIN = 18  # mm


class Receipt(FPDF):
    def __init__(self, locale: str) -> None:
        super().__init__(format="A4")
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=MARGIN)
        self.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_lang(locale)
        self.set_creator("Polku")
        # A reader's window shows the title ("Receipt of your consent"), not the file's name.
        self.viewer_preferences = ViewerPreferences(display_doc_title=True)
        self.footer_text = ""
        self.open_tag: str | None = None  # the structure element being drawn
        self.continued_tag: str | None = None  # … and the one a page break cut, to go on with

    @contextmanager
    def tagged(self, tag: str, line_height: float) -> Iterator[None]:
        """What is drawn inside is one structure element: "/P", "/H1", "/H2"…"""
        if self.will_page_break(line_height):
            self.add_page()  # the element starts where its first line goes, never empty
        self._begin(tag)
        try:
            yield
        finally:
            self._end()

    def _begin(self, tag: str) -> None:
        # fpdf2 tags only figures and links itself; its structure builder takes any standard type.
        mcid = self.struct_builder.next_mcid_for_page(self.page)
        self._add_marked_content(struct_type=tag, mcid=mcid)
        self._out(f"{tag} <</MCID {mcid}>> BDC")
        self.open_tag = tag

    def _end(self) -> None:
        self._out("EMC")
        self.open_tag = None

    def footer(self) -> None:
        # A page break inside a paragraph: its part on this page ends here, and the rest becomes
        # an element of the same kind on the next page (marked content cannot span pages).
        self.continued_tag = self.open_tag
        if self.open_tag:
            self._end()
        self._out("/Artifact BMC")
        self.set_y(-12)
        self.set_font(FONT, "", 8)
        self.set_text_color(80, 80, 80)
        self.cell(0, 5, f"{self.footer_text}  {self.page_no()}/{{nb}}", align="R")
        self.set_text_color(0, 0, 0)
        self._out("EMC")

    def header(self) -> None:
        if self.continued_tag:
            self._begin(self.continued_tag)
            self.continued_tag = None

    def text_block(
        self, text: str, size: float = 10.5, bold: bool = False, gap: float = 1.5, tag: str = "/P"
    ) -> None:
        self.set_font(FONT, "B" if bold else "", size)
        with self.tagged(tag, size * 0.5):
            self.multi_cell(0, size * 0.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(gap)

    def heading(self, text: str, size: float = 13, tag: str = "/H2") -> None:
        self.ln(2)
        self.text_block(text, size=size, bold=True, gap=1, tag=tag)

    def row(self, label: str, value: str) -> None:
        """A label and its value side by side, read as one paragraph: "Signed by Veeti Šalin"."""
        with self.tagged("/P", 5):
            self.set_font(FONT, "B", 10)
            self.multi_cell(55, 5, label, align="L", new_x=XPos.RIGHT, new_y=YPos.TOP)
            self.set_font(FONT, "", 10)
            self.multi_cell(0, 5, value, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1.5)

    def item(self, text: str) -> None:
        self.set_font(FONT, "", 10.5)
        with self.tagged("/P", 5.25):
            self.cell(6, 5.25, "•")
            self.multi_cell(0, 5.25, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(0.5)


def receipt_pdf(
    signature: ConsentSignature, template: ConsentTemplate, client: Client, *, base_url: str
) -> bytes:
    """base_url: the portal's public address, for the verification page and the keys."""
    base_url = base_url.rstrip("/")
    locale = signature.locale
    with force_locale(locale):
        pdf = Receipt(locale)
        pdf.set_title(gettext("Receipt of your consent"))
        pdf.footer_text = f"Polku · {gettext('Verification code')} {format_code(signature.verification_code)}"
        pdf.alias_nb_pages()
        pdf.add_page()
        _summary(pdf, signature, template, client, f"{base_url}/verify")
        _choices(pdf, signature, template)
        _full_text(pdf, signature, template)
        _seal(pdf, signature, f"{base_url}/.well-known/jwks.json")
        return bytes(pdf.output())


def _when(moment: datetime) -> str:
    return local_datetime(moment)


def _summary(
    pdf: Receipt, signature: ConsentSignature, template: ConsentTemplate, client: Client, verify_url: str
) -> None:
    locale = signature.locale
    pdf.text_block("Polku", size=10, bold=True, gap=0)
    pdf.text_block(gettext("Receipt of your consent"), size=18, bold=True, gap=2, tag="/H1")
    pdf.text_block(template.title[locale], size=13, bold=True, gap=4, tag="/H2")
    until = (
        local_date(signature.valid_until)
        if signature.valid_until
        else gettext("Until your TYM client relationship ends.")
    )
    pdf.row(gettext("Signed by"), client.full_name or "–")
    pdf.row(gettext("Signed"), _when(signature.signed_at))
    pdf.row(gettext("Valid until"), until)
    pdf.row(gettext("Consent"), gettext("%(title)s, version %(version)d", title=template.title[locale],
                                         version=template.version))  # fmt: skip
    pdf.row(gettext("Language of the text"), gettext("Finnish") if locale == "fi" else gettext("Swedish"))
    pdf.row(
        gettext("Identification"),
        gettext("Strong electronic identification (%(provider)s) on %(when)s",
                provider=signature.provider, when=_when(signature.auth_time)),
    )  # fmt: skip
    pdf.row(gettext("Level of assurance"), assurance(signature.acr))
    pdf.row(gettext("Verification code"), format_code(signature.verification_code))
    pdf.ln(1)
    pdf.text_block(
        gettext(
            "Anyone can check that this consent is genuine and still valid at %(url)s "
            "with the verification code.",
            url=verify_url,
        ),
        size=10,
    )


def assurance(acr: str | None) -> str:
    """The level in words a reader knows from identification services, the provider's value after it."""
    level = {2: gettext("substantial"), 3: gettext("high")}.get(ACR_RANK.get(acr or "", 0))
    if level is None:
        return acr or "–"
    return str(gettext("%(level)s (%(value)s)", level=level, value=acr))


def _choices(pdf: Receipt, signature: ConsentSignature, template: ConsentTemplate) -> None:
    locale = signature.locale
    chosen = signature.choices
    pdf.heading(gettext("Your choices"))
    answers = {True: gettext("included"), False: gettext("not included")}
    for purpose in template.purposes:
        pdf.item(f"{purpose.label[locale]}: {answers[purpose.key in chosen.get('purposes', [])]}")
    for category in (category for category in template.categories if category.optional):
        pdf.item(f"{category.label[locale]}: {answers[category.key in chosen.get('categories', [])]}")


def _full_text(pdf: Receipt, signature: ConsentSignature, template: ConsentTemplate) -> None:
    pdf.heading(gettext("The text you signed"))
    pdf.text_block(
        gettext("SHA-256 fingerprint of the text: %(sha256)s", sha256=signature.text_sha256), size=8, gap=3
    )
    for block in blocks(template, signature.locale):
        text = plain(block.text)
        if block.kind == "title":
            pdf.text_block(text, size=12, bold=True, gap=2, tag="/H3")
        elif block.kind == "heading":
            pdf.heading(text, size=11, tag="/H4")
        elif block.kind == "item":
            pdf.item(text)
        else:
            pdf.text_block(text, gap=2)


def _seal(pdf: Receipt, signature: ConsentSignature, jwks_url: str) -> None:
    pdf.heading(gettext("Electronic seal"))
    pdf.text_block(
        gettext(
            "Polku sealed this consent with its signing key. The seal below is a JSON Web Signature "
            "(RS256, key %(kid)s) that can be checked with the public keys at %(url)s.",
            kid=signature.seal_kid,
            url=jwks_url,
        ),
        size=9,
    )
    pdf.set_font(FONT, "", 6.5)
    with pdf.tagged("/P", 3):
        pdf.multi_cell(0, 3, signature.seal, align="L", wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN)
