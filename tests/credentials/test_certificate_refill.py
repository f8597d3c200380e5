"""The learner's layer kept and refilled (credentials/certificate_refill.py):
a refilled certificate is the one the learner's layer laid out for it makes,
operator for operator, in any script; where refilling cannot promise that, the
layer is laid out and the reason counted."""

import io
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date

import pytest
from pypdf import PdfReader

from credentials import certificate_refill
from credentials.certificate_design import CertificateDesign
from credentials.certificate_layers import clear_cache, layered_pdf
from credentials.certificates import credential_attachment, render_certificate_pdf
from tests import builders
from tests.credentials.test_certificates import TYPICAL

DESIGNED = builders.DESIGNED_CERTIFICATE
NAMES = {
    "latin": "Siobhán Ní Bhriain",
    "greek": "Ζωή Παπαδοπούλου",
    "cyrillic": "Алексей Смирнов",
    "arabic": "محمد الأحمد",
    "hebrew": "שרה כהן",
    "cjk": "王小明",
    "long": "Maximilian Wolfeschlegelsteinhausenbergerdorff",
}


def learner(name: str, n: int = 7, **changes):
    return replace(
        TYPICAL,
        learner_name=name,
        credential_id=f"00000000-0000-4000-8000-00000000000{n}",
        verify_url=f"https://cairn.example/credentials/00000000-0000-4000-8000-{n:012}/",
        issued_on=date(2025, 3, 10 + n),
        **changes,
    )


def page_of(pdf: bytes) -> dict:
    """What a reader sees of the page: its drawing operators, text, metadata,
    links and outline."""
    reader = PdfReader(io.BytesIO(pdf))
    page = reader.pages[0]

    def titles(entries):
        return [titles(e) if isinstance(e, list) else e.title for e in entries]

    return {
        "operators": page.get_contents().get_data(),
        "text": page.extract_text(),
        "metadata": dict(reader.metadata),
        "links": [
            (a.get_object()["/A"]["/URI"], a.get_object()["/Rect"])
            for a in page["/Annots"]
        ],
        "outline": titles(reader.outline),
        "attachment": reader.attachments["credential.json"],
    }


def both_ways(info, design) -> tuple[bytes, bytes]:
    """The certificate refilled (if it can be) and with its layer laid out."""
    refilled = layered_pdf(info, design, credential_attachment(info))
    laid_out = layered_pdf(info, design, credential_attachment(info), refilled=False)
    return refilled, laid_out


@pytest.mark.parametrize(
    "design", [CertificateDesign(), DESIGNED], ids=["classic", "designed"]
)
@pytest.mark.parametrize("script", NAMES)
@pytest.mark.parametrize(
    "dates",
    [
        {},
        {"valid_until": date(2027, 5, 3)},
        {"valid_until": date(2025, 5, 3), "expired": True},
    ],
    ids=["issued", "valid-until", "expired"],
)
def test_a_refilled_certificate_is_the_one_its_layer_laid_out_makes(
    design, script, dates
):
    clear_cache()
    # The first certificate of the design keeps the layer; the second refills it.
    layered_pdf(
        learner("Ada Lovelace", 1, **dates), design, credential_attachment(TYPICAL)
    )
    info = learner(NAMES[script], **dates)
    refilled, laid_out = both_ways(info, design)
    if refilled is None:
        # The name does not fit the design layer's room: laid out whole.
        assert laid_out is None
        return
    assert page_of(refilled) == page_of(laid_out)
    # Where a name has no font here (CJK on this machine: .notdef glyphs), pypdf
    # reads the learner layer's text with NULs between letters, either way.
    text = " ".join(page_of(refilled)["text"].replace("\x00", "").split())
    assert info.credential_id in text
    assert info.verify_url.removeprefix("https://") in text.replace(" ", "")


def test_names_in_the_designs_fonts_are_refilled_and_others_laid_out_with_a_reason():
    clear_cache()
    before = certificate_refill.refilled["certificates"]
    declined = sum(certificate_refill.declined.values())
    layered_pdf(learner("Ada Lovelace", 1), DESIGNED, credential_attachment(TYPICAL))
    for n, name in enumerate(["Lena Marsh", "Siobhán Ní Bhriain", "Zoë Brontë"]):
        layered_pdf(learner(name, n), DESIGNED, credential_attachment(TYPICAL))
    assert certificate_refill.refilled["certificates"] == before + 4
    assert sum(certificate_refill.declined.values()) == declined

    # Greek is not in the bundled font's Latin subset: a fallback font of
    # other proportions would move the line, so the layer is laid out.
    reasons = certificate_refill.declined.copy()
    render_certificate_pdf(learner(NAMES["greek"]), DESIGNED)
    assert certificate_refill.declined - reasons == {"another line height": 1}


def test_a_long_name_shrinks_and_one_too_long_for_a_line_is_laid_out():
    clear_cache()
    shrunk = learner("Konstantinopoulou-Vanderberghe Maximiliana Alexandra", 2)
    layered_pdf(
        learner("Ada Lovelace", 1), CertificateDesign(), credential_attachment(TYPICAL)
    )
    before = certificate_refill.refilled["certificates"]
    refilled, laid_out = both_ways(shrunk, CertificateDesign())
    assert certificate_refill.refilled["certificates"] == before + 1
    assert page_of(refilled) == page_of(laid_out)
    # Smaller than the 38 pt of a short name, on one line.
    assert b" 38 Tf" not in page_of(refilled)["operators"].split(b"/CairnDesign")[-1]
    assert shrunk.learner_name in page_of(refilled)["text"]

    reasons = certificate_refill.declined.copy()
    two_lines = learner(
        "Maximiliana Alexandra Konstantinopoulou-Vanderberghe de la Cruz"
    )
    refilled, laid_out = both_ways(two_lines, CertificateDesign())
    assert certificate_refill.declined - reasons == {"another number of lines": 1}
    assert page_of(refilled) == page_of(laid_out)


def test_white_space_weasyprint_would_collapse_is_laid_out():
    clear_cache()
    layered_pdf(learner("Ada Lovelace", 1), DESIGNED, credential_attachment(TYPICAL))
    reasons = certificate_refill.declined.copy()
    refilled, laid_out = both_ways(learner("Grace  Hopper\n"), DESIGNED)
    assert certificate_refill.declined - reasons == {"white space": 1}
    assert page_of(refilled) == page_of(laid_out)
    assert "Grace Hopper" in page_of(refilled)["text"]

    # No name at all: no line to fill, so laid out (here: whole, as before).
    refilled, laid_out = both_ways(learner(""), DESIGNED)
    assert certificate_refill.declined - reasons == {"white space": 2}
    assert refilled == laid_out or page_of(refilled) == page_of(laid_out)


def test_fonts_of_a_refilled_certificate_are_embedded():
    clear_cache()
    layered_pdf(learner("Ada Lovelace", 1), DESIGNED, credential_attachment(TYPICAL))
    pdf = PdfReader(io.BytesIO(render_certificate_pdf(learner("Zoë Brontë"), DESIGNED)))
    fonts = pdf.pages[0]["/Resources"]["/Font"]
    assert fonts
    for font in fonts.values():
        font = font.get_object()
        descriptor = (
            font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            if "/DescendantFonts" in font
            else font["/FontDescriptor"]
        ).get_object()
        assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor)
        assert "/ToUnicode" in font


def test_threads_refilling_one_layer_each_get_their_own_certificate():
    clear_cache()
    learners = [learner(f"Learner Number {n}", n) for n in range(8)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        pdfs = list(
            pool.map(lambda info: render_certificate_pdf(info, DESIGNED), learners)
        )
    for info, pdf in zip(learners, pdfs, strict=True):
        text = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
        assert info.learner_name in text
        assert info.credential_id in text
        others = [other.credential_id for other in learners if other is not info]
        assert not any(other in text for other in others)


def test_a_certificate_with_a_status_note_is_laid_out():
    clear_cache()
    layered_pdf(learner("Ada Lovelace", 1), DESIGNED, credential_attachment(TYPICAL))
    reasons = certificate_refill.declined.copy()
    revoked = learner("Lena Marsh", status_note="Revoked on 6 December 2026")
    refilled, laid_out = both_ways(revoked, DESIGNED)
    assert certificate_refill.declined - reasons == {"a status note": 1}
    assert page_of(refilled) == page_of(laid_out)
    # (rotated text: pypdf reads one gap as none)
    assert "Revoked on 6 December" in page_of(refilled)["text"]
