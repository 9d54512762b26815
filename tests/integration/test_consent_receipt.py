"""The PDF receipt: the client's language, the full text, the choices, the code, letters like Š, ä, ö, å."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy import select

from portal.content.consents import latest
from portal.models import Client, ConsentSignature
from portal.services.consent_receipt import FONT_DIR, Receipt, receipt_pdf
from portal.services.consent_seal import format_code
from tests.conftest import login_as
from tests.integration.consent_helpers import issue, sign

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def signed_receipt(app, db, demo, person, locale):
    request_id = issue(app, db, demo["staff"], demo[person])
    browser = app.test_client()
    browser.set_cookie("polku_lang", locale)
    login_as(app, browser, demo[person])
    assert sign(browser, request_id, categories=("questionnaire_answers",)).status_code == 303
    response = browser.get(f"/consents/{request_id}/receipt.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    return response.data, db.scalars(select(ConsentSignature)).one()


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_finnish_receipt_renders_salin_and_the_finnish_letters(app, db, demo):
    data, signature = signed_receipt(app, db, demo, "client_young", "fi")
    text = pdf_text(data)
    assert "Veeti Šalin" in text
    assert "Kuitti suostumuksestasi" in text
    assert "Suostumus tietojen vaihtamiseen TYM-yhteistyössä" in text
    assert "ä" in text
    assert "ö" in text
    assert format_code(signature.verification_code) in text
    assert signature.text_sha256 in text
    assert "Esitietokyselyn vastauksesi: mukana" in text
    assert "korotettu (http://ftn.ficora.fi/2017/loa2)" in text, "the level in words, then as evidenced"
    assert "Yhteydenpito kuntoutuksen palveluntuottajaan kuntoutuksesi aikana: ei mukana" in text
    # The full text is there, to its last section.
    assert "Peruminen koskee vain tulevaa." in text
    assert "/verify" in text


def test_the_swedish_receipt_is_in_swedish_with_a_and_o_rings(app, db, demo):
    data, signature = signed_receipt(app, db, demo, "client_sv", "sv")
    text = pdf_text(data)
    assert "Anna-Lena Björkqvist" in text
    assert "Kvitto på ditt samtycke" in text
    assert "Samtycke till utbyte av uppgifter i TYM-samarbetet" in text
    assert "å" in text
    assert "ö" in text
    assert "Återkallandet gäller bara framåt." in text
    assert "väsentlig (http://ftn.ficora.fi/2017/loa2)" in text
    assert signature.locale == "sv"


class MarkedText:
    """A page's text by the marked content it is drawn in (an element's MCID, or /Artifact)."""

    def __init__(self, page_number: int, texts: dict[tuple[int, object], str]) -> None:
        self.page_number, self.texts, self.open_marks = page_number, texts, []

    def before(self, operator: bytes, operands: list, _cm: object, _tm: object) -> None:
        if operator == b"BDC":
            self.open_marks.append(operands[1]["/MCID"])
        elif operator == b"BMC":
            self.open_marks.append(str(operands[0]))
        elif operator == b"EMC":
            self.open_marks.pop()

    def text(self, found: str, *_position_and_font: object) -> None:
        if found.strip():
            key = (self.page_number, self.open_marks[-1] if self.open_marks else None)
            self.texts[key] = self.texts.get(key, "") + found


def tagged_structure(data: bytes) -> tuple[PdfReader, list[tuple[str, str]], list[str]]:
    """The receipt as a screen reader gets it: each structure element's type and text, in the
    structure's order, and the text drawn outside any element (nothing but page artifacts)."""
    reader = PdfReader(io.BytesIO(data))
    texts: dict[tuple[int, object], str] = {}
    for number, page in enumerate(reader.pages):
        marked = MarkedText(number, texts)
        page.extract_text(visitor_operand_before=marked.before, visitor_text=marked.text)
    document = reader.trailer["/Root"]["/StructTreeRoot"]["/K"]
    document = (document[0] if isinstance(document, list) else document).get_object()
    assert document["/S"] == "/Document"
    elements = []
    for kid in document["/K"]:
        element = kid.get_object()
        [mcid] = element["/K"]
        elements.append((element["/S"], texts.pop((reader.get_page_number(element["/Pg"]), mcid), "")))
    outside = [found for (_page, mark), found in texts.items() if mark != "/Artifact"]
    return reader, elements, outside


def test_the_receipt_is_a_tagged_pdf_read_as_headings_and_paragraphs_in_order(app, db, demo):
    """WCAG 1.3.1 and 2.4.2 for a document: structure, reading order, language and title."""
    data, signature = signed_receipt(app, db, demo, "client_young", "fi")
    reader, elements, outside = tagged_structure(data)
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == "fi"
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert reader.metadata.title == "Kuitti suostumuksestasi"
    assert outside == []  # every line is in a heading or a paragraph; the footers are artifacts
    assert len(reader.pages) > 1  # the text goes on over pages, and so does its structure
    assert [element for element in elements if not element[1].strip()] == []
    assert elements[:3] == [
        ("/P", "Polku"),
        ("/H1", "Kuitti suostumuksestasi"),
        ("/H2", "Suostumus tietojen vaihtamiseen TYM-yhteistyössä"),
    ]
    assert [text for kind, text in elements if kind == "/H2"][1:] == [
        "Valintasi",
        "Teksti, jonka allekirjoitit",
        "Sähköinen leima",
    ]
    assert ("/P", "Allekirjoittaja Veeti Šalin") in elements
    assert ("/H4", "Suostumuksen peruminen") in elements
    assert elements[-1] == ("/P", signature.seal)  # the seal is the last thing read


def test_a_paragraph_cut_by_a_page_break_goes_on_as_a_paragraph_on_the_next_page():
    pdf = Receipt("fi")
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.set_y(pdf.h - 40)  # near the foot of the page: the paragraph's first lines fit, the rest do not
    words = [f"sana{number}" for number in range(120)]
    pdf.text_block(" ".join(words))
    pdf.heading("Seuraava otsikko")
    reader, elements, outside = tagged_structure(bytes(pdf.output()))
    assert len(reader.pages) == 2
    assert outside == []
    assert [kind for kind, _text in elements] == ["/P", "/P", "/H2"]
    first, rest = ("".join(text.split()) for _kind, text in elements[:2])  # lines are joined without spaces
    assert first.startswith("sana0sana1")
    assert rest.endswith("sana119")
    assert first + rest == "".join(words)  # nothing lost or repeated at the break, the footer not in between
    assert elements[2] == ("/H2", "Seuraava otsikko")


def test_the_swedish_receipt_is_tagged_as_swedish(app, db, demo):
    data, _signature = signed_receipt(app, db, demo, "client_sv", "sv")
    reader, elements, outside = tagged_structure(data)
    assert reader.trailer["/Root"]["/Lang"] == "sv"
    assert reader.metadata.title == "Kvitto på ditt samtycke"
    assert outside == []
    assert elements[1] == ("/H1", "Kvitto på ditt samtycke")


def test_a_receipt_page_renders_to_an_image(app, db, demo):
    # `make test` installs poppler-utils; a missing tool is a failure, not a quiet skip.
    assert shutil.which("pdftoppm"), "pdftoppm is missing: apt-get install poppler-utils"
    data, _signature = signed_receipt(app, db, demo, "client_young", "fi")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / "consent-receipt-fi.pdf"
    pdf.write_bytes(data)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "70",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            str(pdf),
            str(ARTIFACTS / "consent-receipt-fi"),
        ],
        check=True,
    )
    image = next(ARTIFACTS.glob("consent-receipt-fi*.png"))
    assert image.stat().st_size > 10_000


def test_the_receipt_reads_nothing_but_its_fonts_and_opens_no_connection(app, demo):
    """QUALITY 12: rendering fetches nothing from the network or the file system besides the font."""
    template = latest("tym_data_exchange")
    signature = ConsentSignature(
        request_id=1,
        client_id=1,
        template_key=template.key,
        template_version=template.version,
        locale="fi",
        text_sha256="0" * 64,
        choices={"purposes": [], "categories": []},
        signer_hetu_hmac="0" * 64,
        provider="ftn",
        acr=None,
        amr=None,
        auth_time=demo["client_fi"].created_at,
        idp_session=None,
        signed_at=demo["client_fi"].created_at,
        ip=None,
        user_agent=None,
        valid_until=None,
        verification_code="ABCDEFGHJKMN",
        seal="a.b.c",
        seal_kid="kid",
    )
    client = Client(given_name="Veeti", family_name="Šalin")
    events: list[tuple[str, tuple]] = []
    watching = [False]

    def hook(event: str, args: tuple) -> None:
        if watching[0] and (event == "open" or event.startswith(("socket.", "urllib", "http."))):
            events.append((event, args))

    sys.addaudithook(hook)
    with app.test_request_context():
        receipt_pdf(signature, template, client, base_url="http://polku.example")  # imports done once
        watching[0] = True
        try:
            receipt_pdf(signature, template, client, base_url="http://polku.example")
        finally:
            watching[0] = False
    opened = {str(args[0]) for event, args in events if event == "open"}
    assert opened <= {str(FONT_DIR / "DejaVuSans.ttf"), str(FONT_DIR / "DejaVuSans-Bold.ttf")}
    assert not [event for event, _args in events if event != "open"]
