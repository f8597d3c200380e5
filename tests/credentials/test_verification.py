"""Verification by anyone: the page, uploads of every format, POST /api/verify."""

import copy
import io
import json

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from accounts.models import AuditEntry
from credentials import badges, baking, schemas, services
from credentials.models import Award
from credentials.services import verify_credential
from tests import builders
from tests.credentials.jsverifier import verify_with_node


def _tampered(credential: dict) -> dict:
    changed = copy.deepcopy(credential)
    changed["credentialSubject"]["achievement"]["name"] = "Something else"
    return changed


def test_the_page_shows_every_check_in_plain_words(client, issued):
    page = client.get(issued.get_absolute_url()).text
    for name in ("signature", "issuer", "status", "dates", "schema"):
        assert f'data-check="{name}"' in page
    assert "The signature is genuine" in page
    assert f"issued by {issued.organization.name}" in page
    # One revocation entry by default: the page claims no more than it checked.
    assert "status list shows it has not been revoked" in page
    assert "suspended" not in page
    assert "does not expire" in page
    assert "1EdTech" in page
    assert "Data Integrity proof (eddsa-rdfc-2022)" in page
    assert "a W3C Bitstring Status List entry for revocation" in page


def test_with_a_suspension_entry_the_page_says_both_were_checked(
    client, cast, pathway, django_capture_on_commit_callbacks
):
    builders.with_suspension_entries(cast)
    with django_capture_on_commit_callbacks(execute=True):
        builders.submit_and_pass(pathway.tasks[0], cast["learner"], cast["faculty"])
    award = Award.objects.get()
    page = client.get(award.get_absolute_url()).text
    assert "neither revoked nor suspended" in page
    assert "entries for revocation and suspension" in page


def test_admins_see_why_an_award_without_a_suspension_entry_cannot_be_suspended(
    client, cast, pathway, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        builders.submit_and_pass(pathway.tasks[0], cast["learner"], cast["faculty"])
    before = Award.objects.get()
    client.force_login(cast["admin"])
    page = client.get(before.get_absolute_url()).text
    assert "Suspend…" not in page
    assert "Revoke…" in page
    assert "issued without a suspension status entry" in page

    # The admin chooses the entry; what is issued from then on can be suspended,
    # what was issued before keeps its one entry.
    client.post(
        reverse("credentials:signing", args=[cast.organization.slug]),
        {"proof_format": "eddsa-rdfc-2022", "suspension_entry": "on"},
    )
    assert AuditEntry.objects.filter(
        action="issuer.signing_changed", organization=cast.organization
    ).exists()
    with django_capture_on_commit_callbacks(execute=True):
        builders.submit_and_pass(pathway.tasks[1], cast["learner"], cast["faculty"])
    after = Award.objects.exclude(pk=before.pk).get(kind=Award.Kind.MODULE)
    assert [e["statusPurpose"] for e in after.credential["credentialStatus"]] == [
        "revocation",
        "suspension",
    ]
    assert "Suspend…" in client.get(after.get_absolute_url()).text
    before.refresh_from_db()
    assert isinstance(before.credential["credentialStatus"], dict)


def _files(award: Award, client) -> dict[str, bytes]:
    services.render_certificate(award)
    award.refresh_from_db()
    return {
        "credential.json": json.dumps(award.credential).encode(),
        "certificate.pdf": award.pdf.read(),
        "badge.png": client.get(
            reverse("credentials:badge-png", args=[award.uuid])
        ).content,
        "badge.svg": client.get(
            reverse("credentials:badge-svg", args=[award.uuid])
        ).content,
    }


@pytest.mark.parametrize(
    "name", ["credential.json", "certificate.pdf", "badge.png", "badge.svg"]
)
def test_an_upload_of_each_format_is_checked(client, issued, name):
    content = _files(issued, client)[name]
    upload = io.BytesIO(content)
    upload.name = name
    response = client.post(reverse("credentials:verify-upload"), {"file": upload})
    assert response.status_code == 200
    assert 'class="verdict valid"' in response.text
    assert baking.credential_from_file(content) == issued.credential


def test_the_pdf_carries_the_credential_with_title_and_language(client, issued):
    pdf = PdfReader(io.BytesIO(_files(issued, client)["certificate.pdf"]))
    assert json.loads(pdf.attachments["credential.json"][0]) == issued.credential


def test_baked_images_are_real_images(client, issued):
    from PIL import Image

    files = _files(issued, client)
    image = Image.open(io.BytesIO(files["badge.png"]))
    assert image.size == (badges.SIZE, badges.SIZE)
    assert b"<openbadges:credential><![CDATA[" in files["badge.svg"]
    # Baking again replaces, never duplicates, the credential.
    again = baking.bake_png(files["badge.png"], {"id": "x"})
    assert baking.extract_png(again) == '{"id": "x"}'
    assert again.count(baking.PNG_KEYWORD) == 1


def test_a_tampered_upload_is_reported_as_altered(client, issued):
    upload = io.BytesIO(json.dumps(_tampered(issued.credential)).encode())
    upload.name = "credential.json"
    response = client.post(reverse("credentials:verify-upload"), {"file": upload})
    assert 'class="verdict tampered"' in response.text
    assert "do not match the signature" in response.text


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"GIF89a....", "none of them"),
        (b"\x89PNG\r\n\x1a\n", "no end"),
        (b"%PDF-1.7\n%%EOF", "cannot be read"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "no baked credential"),
        (b"{not json", "not valid JSON"),
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><svg/>',
            "cannot be read",
        ),
    ],
)
def test_a_file_without_a_credential_gets_a_clear_error(client, db, content, words):
    upload = io.BytesIO(content)
    upload.name = "upload.bin"
    response = client.post(reverse("credentials:verify-upload"), {"file": upload})
    assert response.status_code == 400
    assert words in response.text


def test_pasted_json_is_checked_and_an_empty_form_is_explained(client, issued):
    url = reverse("credentials:verify-upload")
    pasted = client.post(url, {"text": json.dumps(issued.credential)})
    assert 'class="verdict valid"' in pasted.text
    empty = client.post(url, {})
    assert empty.status_code == 400
    assert "Choose a file or paste a credential." in empty.text


def test_post_api_verify_answers_machines(client, issued):
    ok = client.post("/api/verify", issued.credential, content_type="application/json")
    assert ok.status_code == 200
    body = ok.json()
    assert body["status"] == "valid"
    assert {c["check"] for c in body["checks"]} == {
        "signature",
        "issuer",
        "status",
        "dates",
        "schema",
    }
    wrapped = client.post(
        "/api/verify",
        {"credential": _tampered(issued.credential)},
        content_type="application/json",
    )
    assert wrapped.json()["status"] == "tampered"
    png = io.BytesIO(
        badges.badge_png(
            achievement_name="A", organization_name="B", credential=issued.credential
        )
    )
    png.name = "badge.png"
    assert client.post("/api/verify", {"file": png}).json()["status"] == "valid"
    assert (
        client.post("/api/verify", {}, content_type="application/json").status_code
        == 400
    )


def test_api_verify_needs_no_csrf_token_even_when_logged_in(cast, issued):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(cast["learner"])
    response = client.post(
        "/api/verify", issued.credential, content_type="application/json"
    )
    assert response.status_code == 200


def test_a_credential_from_an_unknown_issuer_is_not_confirmed(db):
    from credentials import openbadges
    from tests.credentials import samples

    signed = samples.sign(openbadges.compose_credential(samples.make_info()))
    result = verify_credential(signed)
    assert result.status == "unknown-issuer"
    checks = {c.name: c for c in result.checks}
    assert checks["signature"].passed  # a did:key signature is checkable
    assert not checks["issuer"].passed


def test_an_expired_credential_says_so(issued):
    from datetime import timedelta

    result = verify_credential(
        issued.credential, now=issued.issued_at + timedelta(days=365 * 200)
    )
    assert result.status == "valid"  # no validUntil: it does not expire
    early = verify_credential(
        issued.credential, now=issued.issued_at - timedelta(days=1)
    )
    assert early.status == "not-yet-valid"


@pytest.mark.node
def test_every_kind_passes_the_schema_and_the_verifier_and_fails_tampered(
    client, cast, pathway, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from assessments.models import ModuleCompletion
    from pathways import services as pathway_services
    from tests import builders
    from tests.credentials.conftest import served

    with django_capture_on_commit_callbacks(execute=True):
        pathway_services.enrol(cast["learner"], pathway.version)
    for task in pathway.tasks:
        with django_capture_on_commit_callbacks(execute=True):
            builders.submit_and_pass(task, cast["learner"], cast["faculty"])
    # Recognition of prior learning: a completion without a grade.
    rpl = ModuleCompletion.objects.create(
        learner=cast["other_learner"],
        version=pathway.tasks[0].version,
        source=ModuleCompletion.Source.RECOGNITION,
        completed_at=timezone.now(),
    )
    services.issue_module_award(rpl)
    awards = {a.module_completion.source if a.module_completion else a.kind: a
              for a in Award.objects.select_related("module_completion")}  # fmt: skip
    assert set(awards) == {"graded", "pathway", "recognition"}
    evidence = awards["recognition"].credential["evidence"][0]
    assert evidence["name"] == "Recognition of prior learning"
    for kind, award in awards.items():
        credential = award.credential
        assert schemas.achievement_credential_errors(credential) == [], kind
        documents = served(client, credential)
        assert verify_with_node(credential, **documents)["verified"] is True, kind
        assert services.verify_award(award).status == "valid", kind
        tampered = _tampered(credential)
        assert verify_with_node(tampered, **documents)["verified"] is False, kind
        assert verify_credential(tampered).status == "tampered", kind
        assert schemas.achievement_credential_errors(
            {k: v for k, v in credential.items() if k != "issuer"}
        ), kind


def test_the_share_page_has_open_graph_tags_and_the_learner_a_linkedin_link(
    client, cast, issued
):
    from urllib.parse import parse_qs, urlsplit

    page = client.get(issued.get_absolute_url()).text
    assert f'property="og:title" content="{issued.achievement_name}' in page
    assert "badge.png" in page
    assert "linkedin.com" not in page  # only the learner is offered it
    client.force_login(cast["learner"])
    page = client.get(issued.get_absolute_url()).text
    start = page.index("https://www.linkedin.com/profile/add?")
    link = page[start : page.index('"', start)].replace("&amp;", "&")
    query = parse_qs(urlsplit(link).query)
    assert query["startTask"] == ["CERTIFICATION_NAME"]
    assert query["name"] == [issued.achievement_name]
    assert query["organizationName"] == [issued.organization.name]
    assert query["certId"] == [str(issued.uuid)]
    assert query["certUrl"][0].endswith(issued.get_absolute_url())
    assert query["issueYear"] == [str(issued.issued_at.year)]


def test_the_achievement_names_its_version_and_content_digest(issued):
    version = issued.module_completion.version
    assert version.digest.startswith("sha256:")  # filled when it was published
    achievement = issued.credential["credentialSubject"]["achievement"]
    assert achievement["id"].endswith(version.get_absolute_url())
    assert achievement["version"] == str(version.number)
    assert achievement["humanCode"] == version.module.code
    assert achievement["otherIdentifier"] == [
        {
            "type": "IdentifierEntry",
            "identifier": version.digest,
            "identifierType": "ext:ContentDigest",
        }
    ]


def test_the_learner_chooses_what_their_public_record_shows(client, cast, issued):
    client.force_login(cast["learner"])
    mine = client.get(reverse("credentials:mine")).text
    start = mine.index("http://testserver/credentials/record/")
    record_url = mine[start : mine.index('"', start)]
    client.logout()
    assert issued.achievement_name in client.get(record_url).text
    client.force_login(cast["learner"])
    client.post(reverse("credentials:visibility", args=[issued.uuid]), {"public": "0"})
    client.logout()
    assert issued.achievement_name not in client.get(record_url).text
    assert client.get("/credentials/record/forged-token/").status_code == 404
    client.force_login(cast["other_learner"])
    response = client.post(
        reverse("credentials:visibility", args=[issued.uuid]), {"public": "1"}
    )
    assert response.status_code == 404
    assert not Award.objects.get(pk=issued.pk).is_public


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
_keys = st.sampled_from(
    ["@context", "id", "type", "issuer", "proof", "credentialStatus", "validFrom",
     "validUntil", "credentialSubject", "name"]
)  # fmt: skip


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(document=st.dictionaries(_keys, _json, max_size=8))
def test_any_json_gets_a_verdict_never_an_error(db, document):
    result = verify_credential(document)
    assert result.status != "valid"
    assert {check.name for check in result.checks} >= {"signature", "schema"}
