"""The badge designer's pages for module and pathway drafts: who may use it, the
live preview, saving, uploads refused with a reason and nothing changed, and the
files at their stable addresses."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from accounts.models import AuditEntry
from curriculum import services
from curriculum.models import ModuleVersion
from pathways import services as pathways
from pathways.models import PathwayVersion
from tests import builders

DESIGN = {
    "shape": "hexagon",
    "background": "#fff4d6",
    "border": "#7a1f5c",
    "ink": "#1d2b45",
    "icon": "chart-bar",
    "text": "CHARTS",
}


def png(size=(8, 8), colour=(47, 107, 94, 255)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def read(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def module_draft(cast) -> ModuleVersion:
    return builders.make_module(cast, "VIZ-1", publish=False).version


@pytest.fixture
def pathway_draft(cast) -> PathwayVersion:
    builders.make_module(cast, "SHEET-1")
    return pathways.create_pathway_version(
        cast.organization,
        by=cast["designer"],
        code="PATH-1",
        title="Data path",
        rule=pathways.all_of(["SHEET-1"]),
    )


@pytest.fixture(params=["module", "pathway"])
def draft(request, module_draft, pathway_draft):
    return module_draft if request.param == "module" else pathway_draft


def designer_url(version) -> str:
    app = "curriculum" if isinstance(version, ModuleVersion) else "pathways"
    return reverse(f"{app}:version-badge-designer", args=[version.pk])


@pytest.mark.parametrize(
    ("role", "status"),
    [("designer", 200), ("admin", 200), ("reviewer", 403), ("learner", 404)],
)
def test_only_the_organizations_designers_and_admins_use_the_designer(
    client, cast, draft, role, status
):
    client.force_login(cast[role])
    assert client.get(designer_url(draft)).status_code == status


def test_the_page_offers_shapes_colours_icons_and_text_with_a_preview(
    client, cast, draft
):
    client.force_login(cast["designer"])
    page = client.get(designer_url(draft)).text
    for expected in (
        'value="shield"',
        'type="color"',
        'value="trophy"',
        "/static/badge-icons/trophy.svg",
        'id="id_text"',
        'id="badge-preview-image"',
        "data:image/svg+xml;base64,",
        f'value="{draft.code}"',  # the text starts as the code
    ):
        assert expected in page, expected
    assert 'aria-live="polite"' in page


def test_the_preview_follows_the_form_without_saving(client, cast, draft):
    client.force_login(cast["designer"])
    response = client.get(designer_url(draft), DESIGN, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text  # the fragment only
    assert 'alt="Badge of' in response.text
    assert "hexagon badge with a chart bar icon reading “CHARTS”" in response.text
    draft.refresh_from_db()
    assert not draft.has_badge
    # A design that cannot be drawn says why in the preview.
    bad = client.get(
        designer_url(draft), DESIGN | {"text": "x" * 40}, headers={"HX-Request": "true"}
    )
    assert "at most 18 characters" in bad.text


def test_saving_draws_the_svg_and_png_and_records_it(client, cast, draft):
    client.force_login(cast["designer"])
    response = client.post(designer_url(draft), DESIGN | {"action": "save"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.badge_design == DESIGN
    assert draft.badge_image.name.endswith(".svg")
    assert draft.get_badge_url() == draft.get_badge_png_url()
    image = Image.open(io.BytesIO(read(client.get(draft.get_badge_png_url()))))
    assert (image.format, image.size) == ("PNG", (400, 400))
    assert b"#7a1f5c" in read(client.get(draft.get_badge_image_url()))
    entry = AuditEntry.objects.filter(action="version.badge_designed").get()
    assert entry.data["icon"] == "chart-bar"
    page = client.get(draft.get_absolute_url()).text
    assert f'src="{draft.get_badge_png_url()}"' in page
    assert 'alt="Badge of' in page


def test_a_bad_design_is_refused_and_changes_nothing(client, cast, draft):
    client.force_login(cast["designer"])
    response = client.post(
        designer_url(draft), DESIGN | {"background": "blue", "action": "save"}
    )
    assert response.status_code == 400
    assert "background colour must be a colour" in response.text
    draft.refresh_from_db()
    assert not draft.has_badge


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (b"GIF89a not a badge", "must be a PNG or an SVG"),
        (png()[:40], "damaged"),
        (b"\x89PNG" + b"0" * (1024 * 1024 + 1), "at most 1 MB"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script>'
            b'<circle r="4"/></svg>',
            "badge images may not run code",
        ),
    ],
)
def test_a_bad_upload_is_refused_with_a_reason_and_changes_nothing(
    client, cast, draft, upload, message
):
    services.design_badge(draft, by=cast["designer"], design=DESIGN)
    draft.refresh_from_db()
    before = (draft.badge_image.name, draft.badge_png.name, draft.badge_design)
    client.force_login(cast["designer"])
    file = io.BytesIO(upload)
    file.name = "badge.svg"
    response = client.post(
        designer_url(draft), {"action": "upload", "badge_image": file}
    )
    assert response.status_code == 400
    assert message in response.text
    draft.refresh_from_db()
    assert (draft.badge_image.name, draft.badge_png.name, draft.badge_design) == before
    assert not AuditEntry.objects.filter(action="version.badge_uploaded").exists()


def test_an_uploaded_png_replaces_the_design_and_is_its_own_png(client, cast, draft):
    services.design_badge(draft, by=cast["designer"], design=DESIGN)
    client.force_login(cast["designer"])
    file = io.BytesIO(png((64, 64), (200, 30, 30, 255)))
    file.name = "mine.png"
    response = client.post(
        designer_url(draft), {"action": "upload", "badge_image": file}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.badge_design, draft.badge_png.name) == ({}, "")
    image = Image.open(io.BytesIO(read(client.get(draft.get_badge_png_url()))))
    assert image.getpixel((10, 10))[:3] == (200, 30, 30)


def test_removing_the_badge_asks_first_and_clears_it(client, cast, draft):
    services.design_badge(draft, by=cast["designer"], design=DESIGN)
    client.force_login(cast["designer"])
    page = client.get(designer_url(draft)).text
    assert 'data-confirm="Remove the badge from this draft?"' in page
    client.post(designer_url(draft), {"action": "remove"})
    draft.refresh_from_db()
    assert not draft.has_badge
    assert client.get(draft.get_badge_png_url()).status_code == 404


def test_a_draft_badge_is_private_and_a_published_one_public_and_frozen(
    client, cast, module_draft
):
    services.design_badge(module_draft, by=cast["designer"], design=DESIGN)
    url = module_draft.get_badge_png_url()
    assert client.get(url).status_code == 404  # strangers: the draft is hidden
    services.publish_version(module_draft, by=cast["admin"], changelog="First.")
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=3600"
    client.force_login(cast["designer"])
    refused = client.post(designer_url(module_draft), DESIGN | {"action": "save"})
    assert refused.status_code == 400
    assert "can no longer be edited" in refused.text
    module_draft.refresh_from_db()
    assert module_draft.badge_design == DESIGN


def test_the_catalogues_show_published_badges_with_alt_text(client, cast, module_draft):
    services.design_badge(module_draft, by=cast["designer"], design=DESIGN)
    services.publish_version(module_draft, by=cast["admin"], changelog="First.")
    page = client.get(reverse("curriculum:catalogue")).text
    assert f'src="{module_draft.get_badge_png_url()}"' in page
    assert "hexagon badge with a chart bar icon" in page


def test_a_pathway_badge_is_part_of_its_content_digest(cast, pathway_draft):
    services.design_badge(pathway_draft, by=cast["designer"], design=DESIGN)
    published = pathways.publish_pathway_version(
        pathway_draft, by=cast["admin"], changelog="First."
    )
    from curriculum import content

    assert content.version_content(published)["badge_image"].startswith("sha256:")
    page_html = PathwayVersion.objects.get(pk=published.pk)
    assert page_html.badge_design == DESIGN
