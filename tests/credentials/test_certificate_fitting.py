"""How many outcomes a certificate shows (certificate_html.fitted): as many
slots as fit, the counts tried in turn (six, four, two, none), but a page with
too many measured to skip the counts that cannot fit either, so that a design
with little room (the demo template's two signatories) lays its page out twice
rather than four times, and shows what trying each count in turn shows."""

import base64
import io
from dataclasses import replace

import pytest
from django.template.loader import render_to_string
from pypdf import PdfReader

from credentials.certificate_design import CertificateDesign, Signatory
from credentials.certificate_html import (
    certificate_context,
    fitted,
    lay_out,
    outcome_slot_counts,
    text_fits,
)
from credentials.demo import signature_image
from tests.credentials.test_certificates import TYPICAL


def signature(seed: int) -> str:
    return (
        "data:image/png;base64," + base64.b64encode(signature_image(seed=seed)).decode()
    )


# The demo template (credentials/demo.py): landscape, two signatories with
# signature images, so the centred text has little room.
DEMO = CertificateDesign(
    page="a4-landscape",
    font="eb-garamond",
    main_colour="#1f3a5f",
    accent_colour="#a67c2d",
    fields=("learner", "achievement", "level_credits", "outcomes", "dates",
            "expiry", "qr_code", "credential_id"),
    signatories=(
        Signatory("Ada Lovelace", "Director of Continuing Education", signature(0)),
        Signatory("Grace Hopper", "Registrar", signature(1)),
    ),
)  # fmt: skip
PORTRAIT = CertificateDesign(page="a4-portrait", font="lora")


def outcomes(count: int, words: int) -> tuple[str, ...]:
    return tuple(
        f"DA-{100 + n}: " + " ".join(["Analyse and present a data set"] * words)
        for n in range(count)
    )


@pytest.mark.parametrize(
    ("design", "count", "words", "description"),
    [
        (DEMO, 7, 1, ""),  # four fit, with "and 4 more"
        (DEMO, 7, 3, ""),  # long outcomes: two fit
        (DEMO, 3, 1, ""),
        (DEMO, 5, 1, "A description of the achievement."),  # none fits
        (DEMO, 12, 2, "A long description. " * 20),
        (PORTRAIT, 12, 1, ""),  # six fit at once
        (PORTRAIT, 2, 3, "A long description. " * 20),
    ],
)
def test_the_outcomes_that_fit_are_found_in_at_most_two_layouts(
    design, count, words, description
):
    info = replace(TYPICAL, description=description, outcomes=outcomes(count, words))
    laid_out = []

    def with_slots(slots: int):
        laid_out.append(slots)
        context = certificate_context(info, slots, design)
        return lay_out(
            render_to_string("credentials/certificate_pdf.html", context), design
        )

    # Each count in turn, as before.
    in_turn = next(
        (slots for slots in outcome_slot_counts(count) if text_fits(with_slots(slots))),
        0,
    )
    tried_in_turn = len(laid_out)
    laid_out.clear()

    document, slots = fitted(count, design, with_slots)

    assert slots == in_turn
    assert text_fits(document) or slots == 0
    assert len(laid_out) == min(tried_in_turn, 2)
    assert laid_out[-1] == slots
    # The page written says as much: that many outcomes, and how many more.
    text = " ".join(
        PdfReader(io.BytesIO(document.write_pdf())).pages[0].extract_text().split()
    )
    shown = text.count("DA-")
    if slots and count > slots:
        assert shown == slots - 1
        assert f"and {count - shown} more" in text
    else:
        assert shown == (count if slots else 0)
        assert " more" not in text
