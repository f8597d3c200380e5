"""Badge art in credentials: achievement.image names the version's PNG (with its
caption), the credential still passes 1EdTech's schema and the independent
verifier, the baked PNG and SVG are the achievement's own picture, and every
page that shows a credential shows its badge with alt text."""

import io

import pytest
from django.conf import settings
from django.urls import reverse
from PIL import Image

from credentials import baking, selectors
from credentials import services as credential_services
from credentials.models import Award
from curriculum import services as curriculum
from pathways import services as pathways
from tests import builders
from tests.credentials.conftest import served
from tests.credentials.jsverifier import verify_with_node

MODULE_DESIGN = {
    "shape": "shield",
    "background": "#fff4d6",
    "border": "#7a1f5c",
    "ink": "#1d2b45",
    "icon": "chart-bar",
    "text": "CHARTS",
}
PATHWAY_DESIGN = MODULE_DESIGN | {"shape": "ribbon", "border": "#2f6b5e"}


def rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[n : n + 2], 16) for n in (1, 3, 5))


def close(pixel, colour, tolerance: int = 6) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], colour, strict=True))


def fetch(client, url: str) -> bytes:
    response = client.get(url.removeprefix(settings.SITE_URL))
    assert response.status_code == 200, url
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


@pytest.fixture
def designed(cast, django_capture_on_commit_callbacks):
    """A pathway of one module, both with designed badges, completed by the
    learner: a module award and a pathway award."""
    task = builders.make_module(cast, "VIZ-1", publish=False)
    curriculum.design_badge(task.version, by=cast["designer"], design=MODULE_DESIGN)
    curriculum.publish_version(task.version, by=cast["admin"], changelog="First.")
    version = pathways.create_pathway_version(
        cast.organization,
        by=cast["designer"],
        code="PATH-1",
        title="Charts path",
        rule=pathways.all_of(["VIZ-1"]),
    )
    curriculum.design_badge(version, by=cast["designer"], design=PATHWAY_DESIGN)
    version = pathways.publish_pathway_version(
        version, by=cast["admin"], changelog="First."
    )
    with django_capture_on_commit_callbacks(execute=True):
        pathways.enrol(cast["learner"], version)
    with django_capture_on_commit_callbacks(execute=True):
        builders.submit_and_pass(task, cast["learner"], cast["faculty"])
    return {a.kind: a for a in Award.objects.all()}


def test_the_credential_names_the_badge_png_with_a_caption(client, designed):
    for kind, design in (("module", MODULE_DESIGN), ("pathway", PATHWAY_DESIGN)):
        image = designed[kind].credential["credentialSubject"]["achievement"]["image"]
        assert image["type"] == "Image"
        assert image["id"].startswith(settings.SITE_URL)
        assert image["id"].endswith("/badge.png")
        assert "badge with a chart bar icon reading “CHARTS”" in image["caption"]
        png = Image.open(io.BytesIO(fetch(client, image["id"])))
        assert png.format == "PNG"
        png = png.convert("RGBA")
        # The border at the top edge and the background beside the icon.
        top = (200, 24) if kind == "module" else (200, 20)
        assert close(png.getpixel(top), rgb(design["border"])), kind
        assert close(
            png.getpixel((60, 200) if kind == "module" else (90, 165)),
            rgb(design["background"]),
        ), kind


@pytest.mark.node
def test_credentials_with_images_pass_the_schema_and_the_independent_verifier(
    client, designed, schema_validator
):
    for award in designed.values():
        errors = [e.message for e in schema_validator.iter_errors(award.credential)]
        assert errors == [], (award.kind, errors)
        result = verify_with_node(award.credential, **served(client, award.credential))
        assert result["verified"] is True, (award.kind, result)


def test_the_baked_png_is_the_achievements_picture_with_the_credential(
    client, designed
):
    award = designed["module"]
    baked = fetch(client, reverse("credentials:badge-png", args=[award.uuid]))
    assert baking.credential_from_file(baked) == award.credential
    image = Image.open(io.BytesIO(baked)).convert("RGB")
    assert close(image.getpixel((200, 24)), rgb(MODULE_DESIGN["border"]))


def test_the_baked_svg_is_the_achievements_svg_with_the_credential(client, designed):
    award = designed["pathway"]
    baked = fetch(client, reverse("credentials:badge-svg", args=[award.uuid]))
    assert baking.credential_from_file(baked) == award.credential
    text = baked.decode()
    assert PATHWAY_DESIGN["border"] in text
    assert "<openbadges:credential" in text
    assert text.count("<svg") == 1


def test_an_uploaded_png_is_baked_as_is_and_wrapped_for_svg(
    client, cast, django_capture_on_commit_callbacks
):
    task = builders.make_module(cast, "PIC-1", publish=False)
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 30, 30)).save(buffer, format="PNG")
    curriculum.upload_badge(task.version, by=cast["designer"], data=buffer.getvalue())
    curriculum.publish_version(task.version, by=cast["admin"], changelog="First.")
    with django_capture_on_commit_callbacks(execute=True):
        builders.submit_and_pass(task, cast["learner"], cast["faculty"])
    award = Award.objects.get()
    image = award.credential["credentialSubject"]["achievement"]["image"]
    assert image["id"].endswith(task.version.get_badge_png_url())
    baked = fetch(client, reverse("credentials:badge-png", args=[award.uuid]))
    assert Image.open(io.BytesIO(baked)).getpixel((5, 5))[:3] == (200, 30, 30)
    svg = fetch(client, reverse("credentials:badge-svg", args=[award.uuid]))
    assert baking.credential_from_file(svg) == award.credential
    assert b"data:image/png;base64," in svg


def test_a_badge_missing_from_storage_falls_back_to_the_plain_art(client, designed):
    award = designed["module"]
    version = award.module_completion.version
    version.badge_png.storage.delete(version.badge_png.name)
    version.badge_image.storage.delete(version.badge_image.name)
    assert selectors.award_badge_art(award) == selectors.BadgeArt()
    baked = fetch(client, reverse("credentials:badge-png", args=[award.uuid]))
    assert baking.credential_from_file(baked) == award.credential


def badge_img(award: Award) -> str:
    return f'src="{reverse("credentials:badge-png", args=[award.uuid])}" alt="'


def test_the_learners_pages_show_the_badges_with_alt_text(client, cast, designed):
    award = designed["module"]
    client.force_login(cast["learner"])
    caption = award.credential["credentialSubject"]["achievement"]["image"]["caption"]
    for url in (reverse("home"), reverse("credentials:mine"), award.get_absolute_url()):
        page = client.get(url).text
        assert badge_img(award) in page, url
        assert f'alt="{caption}"' in page, url


def test_the_public_record_shows_the_chosen_credentials_badges(client, designed):
    module, pathway = designed["module"], designed["pathway"]
    credential_services.set_award_visibility(module, is_public=True)
    credential_services.set_award_visibility(pathway, is_public=False)
    token = selectors.public_record_token(module.learner)
    page = client.get(reverse("credentials:public-record", args=[token])).text
    assert badge_img(module) in page
    assert badge_img(pathway) not in page  # not chosen
    assert 'property="og:image"' in page


def test_the_verification_result_shows_the_badge(client, designed):
    award = designed["pathway"]
    import json

    response = client.post(
        reverse("credentials:verify-upload"),
        {"text": json.dumps(award.credential)},
    )
    assert response.status_code == 200
    assert badge_img(award) in response.text
