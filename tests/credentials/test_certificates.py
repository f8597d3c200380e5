import io
import re
from dataclasses import replace
from datetime import date
from functools import cache

import pytest
import segno
from pypdf import PdfReader

from credentials.certificates import (
    CertificateInfo,
    outcome_slot_counts,
    render_certificate_pdf,
    scaled_font_size,
)

# A4 landscape in PDF points: 297 mm x 210 mm at 72 points an inch.
A4_LANDSCAPE = (841.89, 595.28)

TYPICAL = CertificateInfo(
    learner_name="Amara Okonkwo-Lindqvist",
    achievement_name="Foundations of Data Analysis for Public Health",
    achievement_kind="Pathway",
    organization_name="Northfield College",
    issued_on=date(2025, 3, 12),
    credential_id="3f2b9c1e-8a47-4d2e-9b61-0c5f7e2a9d14",
    verify_url="https://cairn.example/verify/3f2b9c1e-8a47-4d2e-9b61-0c5f7e2a9d14",
    credential_json=b'{"type": ["VerifiableCredential"], "name": "Caf\xc3\xa9"}\n',
    description="Learners clean, explore and model public-health data.",
    outcomes=tuple(f"Outcome {n} in a few plain words" for n in range(1, 9)),
    level="EQF 5",
    credits="30 credits",
)
LONGEST = replace(
    TYPICAL,
    learner_name="Maximiliana Alexandra Konstantinopoulou-Vanderberghe de la Cruz",
    achievement_name=("Advanced Studies in Interdisciplinary Practice " * 5)[:200],
    organization_name="The Royal Institute of Long Organisational Names " * 2,
    description="A long description of the achievement. " * 40,
    outcomes=tuple(
        f"Outcome {n} " + "explained at great length " * 8 for n in range(30)
    ),
)


@cache
def render(info: CertificateInfo) -> PdfReader:
    # A render takes about a third of a second: share each one between tests.
    return PdfReader(io.BytesIO(render_certificate_pdf(info)))


def page_text(info: CertificateInfo) -> str:
    """The page's text with runs of whitespace, line breaks included, as one space."""
    return " ".join(render(info).pages[0].extract_text().split())


@pytest.mark.parametrize("info", [TYPICAL, LONGEST], ids=["typical", "longest"])
def test_certificate_is_one_a4_landscape_page(info):
    reader = render(info)

    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(box.width, 2), round(box.height, 2)) == A4_LANDSCAPE


@pytest.mark.parametrize("info", [TYPICAL, LONGEST], ids=["typical", "longest"])
def test_certificate_shows_learner_achievement_and_verify_url(info):
    text = page_text(info)

    assert info.learner_name in text
    assert info.achievement_name in text
    # A long URL wraps at a slash, so compare without the line break.
    assert info.verify_url in text.replace("/ ", "/")


def test_certificate_shows_level_and_credits_as_given():
    assert "EQF 5 · 30 credits" in page_text(TYPICAL)


def test_certificate_attaches_the_credential_byte_for_byte():
    assert render(TYPICAL).attachments["credential.json"] == [TYPICAL.credential_json]


def test_certificate_has_a_title_and_a_language():
    reader = render(TYPICAL)

    assert reader.metadata.title == (
        "Pathway certificate: Foundations of Data Analysis for Public Health"
        " awarded to Amara Okonkwo-Lindqvist"
    )
    assert reader.trailer["/Root"]["/Lang"] == "en"


def test_certificate_lists_six_lines_of_outcomes_at_most():
    text = page_text(TYPICAL)

    assert "Outcome 5 in a few plain words" in text
    assert "Outcome 6 in a few plain words" not in text
    assert "and 3 more" in text


def test_certificate_escapes_markup_in_names():
    info = replace(TYPICAL, learner_name='<b>Ada</b> & "Co"')

    assert '<b>Ada</b> & "Co"' in page_text(info)


def test_qr_code_draws_the_verify_url():
    # No QR decoder is installed, so read the modules back from the page's
    # content (rectangles in module units, scaled to 27 mm) and compare them
    # with the symbol for the URL.
    content = render(TYPICAL).pages[0].get_contents().get_data().decode("latin-1")
    scale, runs = qr_runs(content)

    expected = segno.make(TYPICAL.verify_url, error="m", micro=False)
    assert runs == {
        (x, y)
        for y, row in enumerate(expected.matrix)
        for x, dark in enumerate(row)
        if dark
    }
    # 27 mm wide, in points.
    assert round(scale * len(expected.matrix) / 72 * 25.4, 2) == 27


def qr_runs(content: str) -> tuple[float, set[tuple[int, int]]]:
    """The QR code's scale and dark modules: "x y w 1 re" rectangles after "cm"."""
    block = re.search(
        r"rg ([\d.]+) 0 0 -[\d.]+ [\d.]+ [\d.]+ cm\n((?:\d+ \d+ \d+ 1 re\n)+)f Q",
        content,
    )
    modules = set()
    for x, y, width in re.findall(r"(\d+) (\d+) (\d+) 1 re", block[2]):
        modules |= {(int(x) + i, int(y)) for i in range(int(width))}
    return float(block[1]), modules


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ada Lovelace", 38),
        ("x" * 28, 38),
        ("x" * 38, 28.0),
        ("x" * 200, 22),
    ],
)
def test_long_names_shrink_to_a_floor(text, expected):
    assert scaled_font_size(text, largest=38, smallest=22, fits=28) == expected


@pytest.mark.parametrize(
    ("total", "expected"),
    [(0, [0]), (1, [1, 0]), (3, [3, 2, 0]), (6, [6, 4, 2, 0]), (30, [6, 4, 2, 0])],
)
def test_outcome_slots_shrink_in_pairs(total, expected):
    assert outcome_slot_counts(total) == expected
