import io
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from functools import cache

import pytest
import segno
from django.test.signals import template_rendered
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


@pytest.fixture
def template_contexts() -> Iterator[list]:
    """Contexts of the templates rendered during the test."""
    contexts = []

    def record(sender, context, **kwargs):
        contexts.append(context)

    template_rendered.connect(record)
    yield contexts
    template_rendered.disconnect(record)


def test_qr_code_draws_the_verify_url(template_contexts):
    # No QR decoder is installed, so read the modules back from the SVG the
    # template received and compare them with the symbol for the URL.
    render_certificate_pdf(TYPICAL)
    svg = next(c["qr_svg"] for c in template_contexts if "qr_svg" in c)

    expected = segno.make(TYPICAL.verify_url, error="m", micro=False)
    assert svg_modules(svg) == {
        (x, y)
        for y, row in enumerate(expected.matrix)
        for x, dark in enumerate(row)
        if dark
    }


def svg_modules(svg: str) -> set[tuple[int, int]]:
    """Dark modules of a segno SVG path: "M x y" moves, "m dx dy" moves, "h n" draws."""
    path = re.search(r' d="([^"]+)"', svg)[1]
    x = y = 0.0
    modules = set()
    for command, args in re.findall(r"([MmHh])([^MmHh]+)", path):
        numbers = [float(n) for n in args.split()]
        if command == "M":
            x, y = numbers
        elif command == "m":
            x, y = x + numbers[0], y + numbers[1]
        else:
            modules |= {(int(x) + i, int(y)) for i in range(int(numbers[0]))}
            x += numbers[0]
    return modules


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
