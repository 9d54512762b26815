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
from portal.services.consent_receipt import FONT_DIR, receipt_pdf
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
    assert signature.locale == "sv"


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
