"""Certificates in two layers (credentials/certificate_layers.py): the design's
layer is laid out once per template version and achievement and shared by every
learner's certificate, and each PDF carries its own learner's parts, no other's,
as a certificate laid out whole would."""

import io
import re
from collections import Counter
from dataclasses import replace
from datetime import date

import pytest
from pypdf import PdfReader

from credentials.certificate_design import CertificateDesign, Signatory
from credentials.certificate_layers import cached_layers, clear_cache, layered_pdf
from credentials.certificates import (
    credential_attachment,
    full_document,
    render_certificate_pdf,
    write_one_page,
)
from tests.credentials.test_certificate_designer import fill_colours, png, rgb
from tests.credentials.test_certificates import LONGEST, TYPICAL

LOGO = "data:image/png;base64," + __import__("base64").b64encode(png()).decode()
SIGNATURE = (
    "data:image/png;base64,"
    + __import__("base64").b64encode(png((120, 40), (10, 10, 10))).decode()
)
DESIGNED = CertificateDesign(
    page="a4-portrait",
    font="lora",
    main_colour="#7a1f3d",
    accent_colour="#2f7a5c",
    fields=(
        "learner",
        "achievement",
        "rubric_results",
        "dates",
        "expiry",
        "qr_code",
        "credential_id",
    ),
    signatories=(
        Signatory("Dr Imani Okafor", "Dean", SIGNATURE),
        Signatory("Grace Hopper"),
    ),
    logo_data_uri=LOGO,
)
GRADED = replace(
    TYPICAL,
    rubric_results=("Analysis: Exemplary", "Communication: Competent"),
    valid_until=date(2027, 3, 12),
)


def whole(info, design) -> bytes:
    """The certificate laid out in one document, as before the layers."""
    _, document = full_document(info, design)
    return write_one_page(document, credential_attachment(info))


def reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def outline(pdf: PdfReader) -> list:
    """The outline's titles, nested as in the PDF."""

    def titles(entries):
        return [titles(e) if isinstance(e, list) else e.title for e in entries]

    return titles(pdf.outline)


def words(pdf: bytes) -> Counter:
    return Counter(reader(pdf).pages[0].extract_text().split())


@pytest.mark.parametrize(
    ("info", "design"),
    [
        (TYPICAL, CertificateDesign()),
        (LONGEST, CertificateDesign()),
        (GRADED, DESIGNED),
        (replace(TYPICAL, status_note="Revoked on 6 December 2026"), DESIGNED),
        (replace(GRADED, expired=True), CertificateDesign(page="letter-landscape")),
    ],
    ids=["typical", "longest", "designed", "revoked", "expired"],
)
def test_a_layered_certificate_says_and_shows_what_one_laid_out_whole_does(
    info, design
):
    clear_cache()
    layered = render_certificate_pdf(info, design)
    one, other = reader(layered), reader(whole(info, design))
    # It was composed of the two layers, not laid out whole.
    assert "/CairnDesign" in one.pages[0]["/Resources"]["/XObject"]

    assert words(layered) == words(whole(info, design))
    assert one.pages[0].mediabox == other.pages[0].mediabox
    assert sorted(image.image.size for image in one.pages[0].images) == sorted(
        image.image.size for image in other.pages[0].images
    )
    assert fill_colours(one) == fill_colours(other)
    assert one.metadata.title == other.metadata.title
    assert outline(one) == outline(other)
    assert one.attachments["credential.json"] == [info.credential_json]
    assert len(one.pages) == 1


def test_learners_in_one_process_each_get_their_own_parts_and_share_the_design():
    clear_cache()
    learners = [
        replace(
            TYPICAL,
            learner_name=name,
            credential_id=f"00000000-0000-4000-8000-00000000000{n}",
            verify_url=f"https://cairn.example/verify/learner-{n}",
            issued_on=date(2025, 3, 10 + n),
        )
        for n, name in enumerate(
            [
                "Ada Lovelace",
                "Maximiliana Alexandra Konstantinopoulou-Vanderberghe de la Cruz",
                "Katherine Johnson",
            ]
        )
    ]
    pdfs, layers = [], []
    for info in learners:
        pdfs.append(render_certificate_pdf(info, DESIGNED))
        layers.append(cached_layers())

    for n, (info, pdf) in enumerate(zip(learners, pdfs, strict=True)):
        text = " ".join(reader(pdf).pages[0].extract_text().split())
        # A long name wraps after its hyphen.
        assert info.learner_name in text.replace("- ", "-")
        assert info.credential_id in text
        assert info.verify_url in text.replace("/ ", "/")
        assert f"{10 + n} Mar 2025" in text
        for other in learners:
            if other is not info:
                assert other.learner_name not in text
                assert other.credential_id not in text
        assert reader(pdf).metadata.title.endswith(info.learner_name)
    # Ada and Katherine share one layer: the third certificate laid out none.
    assert layers[2] == layers[1] > layers[0] == 1
    # The same learner again: the same bytes but the attachment's time stamps.
    assert undated(render_certificate_pdf(learners[0], DESIGNED)) == undated(pdfs[0])


def undated(pdf: bytes) -> bytes:
    return re.sub(rb"/(CreationDate|ModDate) \(D:\d+Z\)", b"", pdf)


def test_a_new_template_version_or_achievement_gets_its_own_design_layer():
    clear_cache()
    first = render_certificate_pdf(TYPICAL, DESIGNED)
    # A later version of the template: another colour, another signatory.
    version = replace(
        DESIGNED,
        main_colour="#1f3a5f",
        signatories=(Signatory("Professor Ruth Asante", "Registrar"),),
    )
    second = render_certificate_pdf(TYPICAL, version)

    assert rgb("#7a1f3d") in fill_colours(reader(first))
    assert rgb("#7a1f3d") not in fill_colours(reader(second))
    assert rgb("#1f3a5f") in fill_colours(reader(second))
    assert "Okafor" in words(first)
    assert "Okafor" not in words(second)
    assert "Asante" in words(second)
    # Another achievement in the same version: its own name, not the first's.
    other = replace(TYPICAL, achievement_name="Introduction to Epidemiology")
    third = words(render_certificate_pdf(other, version))
    assert "Epidemiology" in third
    assert "Foundations" not in third


def test_a_name_of_two_lines_gets_a_layer_with_a_two_line_stand_in():
    # The design layer is laid out for a one-line name; a name of two lines is
    # laid out again with a two-line stand-in, and the certificate then says it.
    clear_cache()
    info = replace(TYPICAL, learner_name="Wolfeschlegelsteinhausenbergerdorff " * 3)
    pdf = layered_pdf(info, CertificateDesign(), credential_attachment(info))
    assert pdf is not None
    assert words(pdf) == words(whole(info, CertificateDesign()))
