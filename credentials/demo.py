"""Demo data for the credentials app, wired into seed_demo by the lead."""

import io
import math

from PIL import Image, ImageDraw

from credentials import selectors, services, template_selectors

DEMO_TEMPLATE = "Northfield formal"


def extend_demo(organization, users: dict) -> None:
    """The issuer's signing key, the organization's endorsement of every
    version its advisory board approved, and a designed certificate template.
    Safe to run again."""
    services.get_signing_key(organization)
    admin = users.get("ada")
    for review in selectors.endorsable_reviews(organization):
        if hasattr(review, "endorsement"):
            continue
        services.endorse_approved_review(
            review,
            by=admin,
            comment=review.decision
            or f"{review.board.name} approved this version for use in practice.",
        )
    designed_template(organization, admin)


def designed_template(organization, admin) -> None:
    """A published template with a font, colours and two signatories, made the
    default: certificates already drawn keep the built-in design until the
    admin renders them again from the template's page."""
    if (
        template_selectors.templates_of(organization)
        .filter(name=DEMO_TEMPLATE)
        .exists()
    ):
        return
    template = services.create_template(organization, by=admin, name=DEMO_TEMPLATE)
    services.update_draft(
        template,
        by=admin,
        page="a4-landscape",
        font="eb-garamond",
        main_colour="#1f3a5f",
        accent_colour="#a67c2d",
        fields=[
            "learner",
            "achievement",
            "level_credits",
            "outcomes",
            "dates",
            "expiry",
            "qr_code",
            "credential_id",
        ],
        show_logo=True,
    )
    for position, (name, title) in enumerate(
        [
            ("Ada Lovelace", "Director of Continuing Education"),
            ("Grace Hopper", "Registrar"),
        ]
    ):
        services.set_signatory(
            template,
            by=admin,
            position=position,
            name=name,
            title=title,
            signature=signature_image(seed=position),
        )
    services.publish_template(template, by=admin)
    services.make_default(template, by=admin)


def signature_image(*, seed: int) -> bytes:
    """A pen stroke drawn for the demo: a PNG like a scanned signature."""
    image = Image.new("RGB", (360, 110), "white")
    draw = ImageDraw.Draw(image)
    points = [
        (20 + x, 60 + 22 * math.sin(x / (14 + 3 * seed)) * math.cos(x / 47))
        for x in range(0, 320, 2)
    ]
    draw.line(points, fill=(24, 32, 72), width=3, joint="curve")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
