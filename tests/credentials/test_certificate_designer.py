"""The certificate designer: versioned templates, the PDF they make (read back:
text, images, colours, fonts), per-module choice, explicit re-rendering, the
revoked stamp and upload checks."""

import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from accounts.models import AuditEntry
from accounts.selectors import AUDIT_ACTIONS
from credentials import services, template_selectors
from credentials.models import Award, CertificateTemplateVersion, TemplateVersionFrozen
from curriculum.models import Module
from tests import builders

MAIN = "#7a1f3d"
ACCENT = "#2f7a5c"
CHOICES = {
    "page": "a4-portrait",
    "font": "lora",
    "main_colour": MAIN,
    "accent_colour": ACCENT,
    "fields": ["learner", "achievement", "dates", "qr_code", "credential_id"],
    "show_logo": True,
}


def png(size=(180, 50), colour=(20, 40, 200)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def asked(award: Award) -> Award:
    """The award once its certificate was asked for (rendered on first request)."""
    return services.certificate_for_download(Award.objects.get(pk=award.pk))


def pdf_of(award: Award) -> PdfReader:
    award.refresh_from_db()
    return PdfReader(asked(award).pdf.open("rb"))


def text_of(reader: PdfReader) -> str:
    return " ".join(reader.pages[0].extract_text().split())


def page_content(page) -> str:
    """The page's content stream and those of the forms it draws (the design's
    layer of a certificate is one), as text."""

    def forms(resources) -> list[bytes]:
        found = []
        for ref in (resources or {}).get("/XObject", {}).values():
            xobject = ref.get_object()
            if xobject.get("/Subtype") == "/Form":
                found.append(xobject.get_data())
                found.extend(forms(xobject.get("/Resources")))
        return found

    parts = [page.get_contents().get_data(), *forms(page["/Resources"])]
    return b"\n".join(parts).decode("latin-1")


def fill_colours(reader: PdfReader) -> set[tuple[float, float, float]]:
    """Every RGB colour the page sets (rg and RG operators), its forms' included."""
    content = page_content(reader.pages[0])
    number = r"(-?\d*\.?\d+)"
    return {
        tuple(round(float(v), 2) for v in match)
        for match in re.findall(
            rf"{number}\s+{number}\s+{number}\s+(?:rg|RG)\b", content
        )
    }


def rgb(colour: str) -> tuple[float, float, float]:
    return tuple(round(int(colour[i : i + 2], 16) / 255, 2) for i in (1, 3, 5))


def designed(cast, name="Formal"):
    template = services.create_template(cast.organization, by=cast["admin"], name=name)
    services.update_draft(template, by=cast["admin"], **CHOICES)
    services.set_signatory(
        template,
        by=cast["admin"],
        position=0,
        name="Dr Imani Okafor",
        title="Dean of Continuing Education",
        signature=png(),
    )
    return template


def test_a_published_template_makes_the_pdf_with_its_signatory_colours_and_font(
    cast, pathway, django_capture_on_commit_callbacks
):
    template = designed(cast)
    version = services.publish_template(template, by=cast["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        builders.submit_and_pass(pathway.tasks[0], cast["learner"], cast["faculty"])
    award = asked(Award.objects.get())
    assert award.pdf_template_version == version
    reader = pdf_of(award)
    text = text_of(reader)
    assert "Dr Imani Okafor" in text
    assert "Dean of Continuing Education" in text
    # Fields left out are not on the page: outcomes, level and credits.
    assert "LEARNINGOUTCOMES" not in text.replace(" ", "")
    assert "credits" not in text
    # The signature image is embedded at its size.
    assert (180, 50) in [image.image.size for image in reader.pages[0].images]
    # The chosen colours are in the content stream; the classic navy is not.
    colours = fill_colours(reader)
    assert rgb(MAIN) in colours
    assert rgb(ACCENT) in colours
    assert rgb("#1d2b45") not in colours
    # A4 portrait, and the bundled font is embedded (subset).
    box = reader.pages[0].mediabox
    assert (round(box.width), round(box.height)) == (595, 842)
    fonts = {
        str(font.get_object()["/BaseFont"])
        for font in reader.pages[0]["/Resources"]["/Font"].values()
    }
    assert any("Lora" in font for font in fonts), fonts


def test_a_published_version_is_frozen_and_rerendering_is_explicit(
    cast, pathway, django_capture_on_commit_callbacks
):
    template = designed(cast)
    first = services.publish_template(template, by=cast["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        builders.submit_and_pass(pathway.tasks[0], cast["learner"], cast["faculty"])
    award = asked(Award.objects.get())
    # A published version cannot be changed, nor the same draft published twice.
    first.settings = {**first.settings, "main_colour": "#000000"}
    with pytest.raises(TemplateVersionFrozen):
        first.save()
    with pytest.raises(ValidationError, match="same"):
        services.publish_template(template, by=cast["admin"])
    assert (
        CertificateTemplateVersion.objects.get(pk=first.pk).settings["main_colour"]
        == MAIN
    )
    # A new version: the certificate already made keeps the first one ...
    services.update_draft(
        template, by=cast["admin"], **{**CHOICES, "page": "a4-landscape"}
    )
    second = services.publish_template(template, by=cast["admin"])
    assert second.number == 2
    assert first.settings["page"] == "a4-portrait"
    with django_capture_on_commit_callbacks(execute=True):
        services.sweep_unissued()
    award.refresh_from_db()
    assert award.pdf_template_version == first
    assert template_selectors.rerender_progress(template) == {
        "total": 1,
        "done": 0,
        "waiting": 1,
    }
    # ... until an admin asks for the latest.
    with django_capture_on_commit_callbacks(execute=True):
        services.request_rerender(template, by=cast["admin"])
    award.refresh_from_db()
    assert award.pdf_template_version == second
    box = pdf_of(award).pages[0].mediabox
    assert box.width > box.height  # landscape now
    assert template_selectors.rerender_progress(template)["waiting"] == 0


def test_each_module_uses_its_chosen_template_and_others_the_default(
    cast, pathway, django_capture_on_commit_callbacks
):
    default = designed(cast, "Everyday")
    services.publish_template(default, by=cast["admin"])
    special = services.create_template(cast.organization, by=cast["admin"], name="Gala")
    services.update_draft(
        special, by=cast["admin"], **{**CHOICES, "font": "eb-garamond"}
    )
    gala = services.publish_template(special, by=cast["admin"])
    first = Module.objects.get(code="A-101")
    services.choose_template(
        cast.organization, by=cast["admin"], module=first, template=special
    )
    with django_capture_on_commit_callbacks(execute=True):
        builders.submit_and_pass(pathway.tasks[0], cast["learner"], cast["faculty"])
        builders.submit_and_pass(pathway.tasks[1], cast["learner"], cast["faculty"])
    chosen = asked(Award.objects.get(module_completion__version__module=first))
    other = asked(Award.objects.exclude(pk=chosen.pk).get(kind="module"))
    assert chosen.pdf_template_version == gala
    assert other.pdf_template_version.template == default
    assert set(template_selectors.awards_using(special)) == {chosen}


def test_a_pdf_downloaded_after_revocation_says_revoked_on_its_date(
    client, cast, issued
):
    assert "Revoked" not in text_of(pdf_of(issued))
    # The queued render has not run (callbacks are not executed): the download
    # renders it then, so no PDF says the credential still stands.
    services.revoke_award(issued, by=cast["admin"], reason="Issued in error.")
    response = client.get(reverse("credentials:pdf", args=[issued.uuid]))
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    issued.refresh_from_db()
    text = text_of(reader)
    assert re.search(r"Revoked on \d{1,2} \w+ ?\d{4}", text), text
    assert issued.pdf_design.endswith(":revoked")
    page = client.get(issued.get_absolute_url()).content.decode()
    assert "Revoked on" in page


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"GIF89a not an image", "not a PNG or JPEG"),
        (b"x" * 300_000, "256 KB"),
    ],
)
def test_a_bad_signature_image_is_refused_and_nothing_changes(
    client, cast, db, content, words
):
    template = services.create_template(cast.organization, by=cast["admin"], name="T")
    client.force_login(cast["admin"])
    upload = io.BytesIO(content)
    upload.name = "signature.png"
    response = client.post(
        reverse(
            "credentials:certificate-template-signatory",
            args=[cast.organization.slug, template.pk, 0],
        ),
        {"name": "Ada Lovelace", "title": "Registrar", "signature": upload},
        follow=True,
    )
    assert words in response.content.decode()
    template.refresh_from_db()
    assert not template.draft.get("signatories")


def test_the_designer_pages_and_preview(
    client, cast, issued, django_assert_max_num_queries
):
    template = designed(cast)
    slug = cast.organization.slug
    client.force_login(cast["admin"])
    url = reverse("credentials:certificate-template", args=[slug, template.pk])
    with django_assert_max_num_queries(20):
        page = client.get(url)
    assert page.status_code == 200
    assert "Dr Imani Okafor" in page.content.decode()
    # The live preview: saving the draft through htmx returns the preview.
    saved = client.post(
        reverse("credentials:certificate-template-draft", args=[slug, template.pk]),
        {**CHOICES, "main_colour": "#ffff00"},
        headers={"HX-Request": "true"},
    )
    assert saved.status_code == 400
    assert "too light" in saved.content.decode()
    preview = client.get(
        reverse("credentials:certificate-template-preview", args=[slug, template.pk]),
        {"award": issued.pk},
    )
    assert preview.status_code == 200
    assert "Dr Imani Okafor" in preview.content.decode()
    assert issued.learner.get_full_name() in preview.content.decode()
    policy = preview["Content-Security-Policy"]
    assert "'unsafe-inline'" in policy
    assert "script-src 'none'" in policy
    # The chosen bundled font comes with the preview, as data the frame can use.
    assert '@font-face { font-family: "Lora"' in preview.content.decode()
    assert "font-src data:" in policy
    pdf = client.get(
        reverse("credentials:certificate-template-pdf", args=[slug, template.pk])
    )
    assert "Dr Imani Okafor" in text_of(PdfReader(io.BytesIO(pdf.content)))
    # Another organization's admin cannot open it.
    client.force_login(cast["learner"])
    assert client.get(url).status_code in (403, 404)


def test_suspension_and_reinstatement_restamp_the_certificate(
    cast, pathway, django_capture_on_commit_callbacks
):
    builders.with_suspension_entries(cast)
    with django_capture_on_commit_callbacks(execute=True):
        builders.submit_and_pass(pathway.tasks[0], cast["learner"], cast["faculty"])
    award = Award.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.suspend_award(award, by=cast["admin"], reason="Checking evidence.")
    assert "Suspended on" in text_of(pdf_of(award))
    with django_capture_on_commit_callbacks(execute=True):
        services.reinstate_award(award, by=cast["admin"], reason="Evidence checked.")
    assert "Suspended on" not in text_of(pdf_of(award))
    assert not award.pdf_design.endswith(":suspended")


def test_a_choice_names_this_organizations_template_and_is_audited(cast, db):
    template = services.create_template(cast.organization, by=cast["admin"], name="T")
    module = builders.make_module(cast, "Z-900").version.module
    services.choose_template(
        cast.organization, by=cast["admin"], module=module, template=template
    )
    entry = AuditEntry.objects.filter(action="certificate_template.chosen").get()
    assert entry.data["after"] == "T"
    assert "certificate_template.chosen" in AUDIT_ACTIONS
    # Back to the default: the choice is gone.
    services.choose_template(
        cast.organization, by=cast["admin"], module=module, template=None
    )
    assert not template_selectors.choices_of(cast.organization)
    with pytest.raises(ValidationError, match="name"):
        services.create_template(cast.organization, by=cast["admin"], name="T")


def test_an_admin_chooses_a_modules_template_on_the_choices_page(client, cast, db):
    template = services.create_template(cast.organization, by=cast["admin"], name="T")
    module = builders.make_module(cast, "Z-901").version.module
    client.force_login(cast["admin"])
    url = reverse("credentials:certificate-choices", args=[cast.organization.slug])
    page = client.get(url)
    assert "Z-901" in page.content.decode()
    client.post(url, {"kind": "module", "pk": module.pk, "template": template.pk})
    assert template_selectors.choices_of(cast.organization) == {
        ("module", module.pk): template.pk
    }
    # A module of another organization, or an unknown kind, is not found.
    assert client.post(url, {"kind": "badge", "pk": module.pk}).status_code == 404
