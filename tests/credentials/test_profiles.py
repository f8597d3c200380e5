"""Issuer profile: a logo on certificates and in credentials; the design gallery."""

import io

import pytest
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from credentials import services
from credentials.models import Award
from tests import builders


def _png(colour="navy") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 40), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_new_logo_renders_certificates_again_and_names_the_issuer_image(
    client, cast, pathway, issued, django_capture_on_commit_callbacks
):
    services.certificate_for_download(issued)  # asked for once: rendered
    before = Award.objects.get(pk=issued.pk)
    assert before.pdf
    assert before.pdf_design
    with django_capture_on_commit_callbacks(execute=True):
        services.set_issuer_logo(cast.organization, by=cast["admin"], content=_png())
    after = Award.objects.get(pk=issued.pk)
    assert after.pdf_design != before.pdf_design
    assert after.pdf.name != before.pdf.name
    pdf = PdfReader(after.pdf.open("rb"))
    images = [image for page in pdf.pages for image in page.images]
    assert images  # the logo is on the page
    # Credentials issued from now on name the logo as the issuer's image.
    with django_capture_on_commit_callbacks(execute=True):
        builders.submit_and_pass(pathway.tasks[1], cast["learner"], cast["faculty"])
    later = Award.objects.exclude(pk=issued.pk).get()
    image = later.credential["issuer"]["image"]
    assert image["type"] == "Image"
    served = client.get(image["id"].removeprefix("http://127.0.0.1:8000"))
    assert served["Content-Type"] == "image/png"
    assert services.verify_award(later).status == "valid"
    # Rendering again with the same design keeps the file.
    assert services.render_certificate(after).pdf.name == after.pdf.name


@pytest.mark.parametrize(
    ("content", "words"),
    [(b"GIF89a not a logo", "not a PNG or JPEG"), (b"x" * 600_000, "512 KB")],
)
def test_a_bad_logo_is_refused(client, cast, db, content, words):
    client.force_login(cast["admin"])
    upload = io.BytesIO(content)
    upload.name = "logo.png"
    response = client.post(
        reverse("credentials:upload-logo", args=[cast.organization.slug]),
        {"logo": upload},
        follow=True,
    )
    assert words in response.text
    assert not hasattr(cast.organization, "issuer_profile")


def test_admins_preview_the_certificate_design(client, cast, db):
    gallery = reverse("credentials:certificate-gallery", args=[cast.organization.slug])
    client.force_login(cast["designer"])
    assert client.get(gallery).status_code == 403
    client.force_login(cast["admin"])
    assert client.get(gallery).status_code == 200
    for variant in ("short", "long"):
        response = client.get(
            reverse(
                "credentials:certificate-preview",
                args=[cast.organization.slug, variant],
            )
        )
        assert response.status_code == 200
        assert len(PdfReader(io.BytesIO(response.content)).pages) == 1
    missing = reverse(
        "credentials:certificate-preview", args=[cast.organization.slug, "nope"]
    )
    assert client.get(missing).status_code == 404


def test_admins_edit_the_issuer_details_and_new_credentials_carry_them(
    client, cast, pathway, issued, schema_validator, django_capture_on_commit_callbacks
):
    from accounts.models import AuditEntry
    from tests.credentials.jsverifier import verify_with_node

    edit = reverse("credentials:issuer-edit", args=[cast.organization.slug])
    client.force_login(cast["admin"])
    assert client.get(edit).status_code == 200
    response = client.post(
        edit,
        {
            "name": "Northfield Technical College",
            "url": "https://northfield.example/",
            "email": "credentials@northfield.example",
            "description": "A college of applied technology.",
        },
        follow=True,
    )
    assert "Issuer details saved" in response.text
    cast.organization.refresh_from_db()
    assert cast.organization.name == "Northfield Technical College"
    entry = AuditEntry.objects.get(action="issuer.details_changed")
    assert entry.actor == cast["admin"]
    assert "description" in entry.data["after"]
    # The public page shows the new details.
    page = client.get(reverse("credentials:issuer", args=[cast.organization.slug]))
    assert "A college of applied technology." in page.text
    # What is issued from now on says them, verifies and fits the schema...
    with django_capture_on_commit_callbacks(execute=True):
        builders.submit_and_pass(pathway.tasks[1], cast["learner"], cast["faculty"])
    later = Award.objects.exclude(pk=issued.pk).get()
    issuer = later.credential["issuer"]
    assert issuer["name"] == "Northfield Technical College"
    assert issuer["url"] == "https://northfield.example/"
    assert issuer["email"] == "credentials@northfield.example"
    assert issuer["description"] == "A college of applied technology."
    schema_validator.validate(later.credential)
    assert verify_with_node(later.credential)["verified"]
    # ...and what was issued before keeps the name it was signed with, on its
    # certificate too.
    old = Award.objects.get(pk=issued.pk)
    assert old.credential["issuer"]["name"] != "Northfield Technical College"
    assert services.verify_award(old).status == "valid"
    from credentials import selectors

    assert (
        selectors.certificate_info(old).organization_name
        == old.credential["issuer"]["name"]
    )


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("name", "", "This field is required"),
        ("url", "not a web address", "Enter a valid URL"),
        ("url", "ftp://northfield.example/", "http:// or https://"),
        ("email", "nobody-at-northfield", "Enter a valid email address"),
    ],
)
def test_bad_issuer_details_are_refused_and_nothing_changes(
    client, cast, db, field, value, words
):
    before = (cast.organization.name, cast.organization.url, cast.organization.email)
    client.force_login(cast["admin"])
    details = {
        "name": "Renamed",
        "url": "https://northfield.example/",
        "email": "a@northfield.example",
        "description": "",
        field: value,
    }
    response = client.post(
        reverse("credentials:issuer-edit", args=[cast.organization.slug]), details
    )
    assert response.status_code == 400
    assert words in response.text
    cast.organization.refresh_from_db()
    assert (
        cast.organization.name,
        cast.organization.url,
        cast.organization.email,
    ) == before


def test_only_admins_edit_the_issuer_details(client, cast, db):
    edit = reverse("credentials:issuer-edit", args=[cast.organization.slug])
    for role in ("designer", "faculty", "learner"):
        client.force_login(cast[role])
        assert client.post(edit, {"name": "Hijacked"}).status_code in (403, 404)
    client.logout()
    assert client.get(edit).status_code == 302
    cast.organization.refresh_from_db()
    assert cast.organization.name != "Hijacked"
