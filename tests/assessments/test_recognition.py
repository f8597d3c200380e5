"""Recognition of prior learning and of outside Open Badges credentials."""

import hashlib
import json
import struct
import zlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments import badgefiles, services
from assessments.models import ModuleCompletion, RecognitionDecision
from tests.assessments.test_bad_input import PNG
from tests.assessments.test_submissions import PDF

DATA = Path(__file__).resolve().parent.parent / "data"


def badge_file(path: str, data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        Path(path).name, data if data is not None else (DATA / path).read_bytes()
    )


@pytest.mark.parametrize(
    ("path", "fmt", "achievement", "issuer", "signed"),
    [
        ("openbadges2/cairn-ob20-embedded-assertion.json", "ob2", "Example Badge",
         "Example Issuer", False),
        ("openbadges2/dcpv-ob20-basic-assertion.json", "ob2", "", "", False),
        ("openbadges3/dcpv-ob30-simple.json", "ob3", "Teamwork", "Example Corp", True),
        ("openbadges3/spec-ob3-full-openbadgecredential.json", "ob3", None, None,
         False),
        ("openbadges3/1edtech-ob3-test-vector.json", "ob3", None, None, True),
    ],
)  # fmt: skip
def test_real_open_badges_files_are_read(path, fmt, achievement, issuer, signed):
    summary = badgefiles.read_badge((DATA / path).read_bytes())
    assert summary.format == fmt
    assert summary.recipient
    assert summary.issued_on
    if achievement is not None:
        assert summary.achievement_name == achievement
        assert summary.issuer_name == issuer
    assert summary.has_proof is signed


def test_a_hosted_ob2_badge_is_noted_as_unchecked():
    path = DATA / "openbadges2/dcpv-ob20-basic-assertion.json"
    summary = badgefiles.read_badge(path.read_bytes())
    assert summary.achievement_id == "https://example.org/robotics-badge.json"
    assert "not included in the file" in summary.notes[0]


def mutate(path: str, change) -> bytes:
    document = json.loads((DATA / path).read_bytes())
    change(document)
    return json.dumps(document).encode()


OB3 = "openbadges3/dcpv-ob30-simple.json"
OB2 = "openbadges2/cairn-ob20-embedded-assertion.json"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not json", "not valid JSON"),
        (b"[1, 2]", "not a credential object"),
        (b'{"@context": "https://schema.org/", "type": "Thing"}', "not an Open Badges"),
        ((DATA / "openbadges2/dcpv-ob20-badgeclass1.json").read_bytes(),
         "must be an Assertion"),
        ((DATA / "openbadges3/spec-ob3-endorsementcredential.json").read_bytes(),
         "Only achievement credentials"),
        (mutate(OB3, lambda d: d.pop("issuer")), "has no issuer"),
        (mutate(OB3, lambda d: d["credentialSubject"].pop("achievement")),
         "has no achievement"),
        (mutate(OB3, lambda d: d["credentialSubject"]["achievement"].pop("name")),
         "achievement has no “name”"),
        (mutate(OB3, lambda d: d["credentialSubject"].pop("id")), "whom it was issued"),
        (mutate(OB3, lambda d: d["@context"].pop(1)), "Open Badges 3.0 context"),
        (mutate(OB2, lambda d: d.pop("recipient")), "has no recipient"),
        (mutate(OB2, lambda d: d["badge"].pop("issuer")), "has no issuer"),
        (mutate(OB2, lambda d: d.pop("verification")), "verification"),
    ],
)  # fmt: skip
def test_broken_credentials_are_refused_with_the_reason(data, message):
    with pytest.raises(badgefiles.BadgeFileError, match=message):
        badgefiles.read_badge(data)


def test_an_ob2_hashed_recipient_is_matched_against_the_learners_email():
    email = "beth@example.org"
    digest = hashlib.sha256((email + "deadsea").encode()).hexdigest()
    data = mutate(
        "openbadges2/dcpv-ob20-basic-assertion.json",
        lambda d: d["recipient"].update(identity=f"sha256${digest}"),
    )
    assert badgefiles.ob2_recipient_matches(data, email) is True
    assert badgefiles.ob2_recipient_matches(data, "someone@example.org") is False


def test_an_admin_accepts_an_outside_credential_and_it_is_kept(cast, task):
    decision = services.record_recognition(
        cast["learner"], task.version, by=cast["admin"], source="external",
        decision="accepted", reason="Teamwork badge maps to this module's outcomes.",
        upload=badge_file(OB3),
    )  # fmt: skip
    assert decision.completion.source == ModuleCompletion.Source.EXTERNAL
    assert decision.badge["achievement_name"] == "Teamwork"
    assert decision.badge["issuer_id"] == "https://example.com/issuers/876543"
    assert decision.proof_status == RecognitionDecision.ProofStatus.UNCHECKED
    # Its key sits in a controller document on the issuer's site: not fetched.
    assert "https://example.com/issuers/876543" in decision.proof_reason
    assert "does not fetch" in decision.proof_reason
    assert decision.file.read() == (DATA / OB3).read_bytes()


def test_a_registered_proof_verifier_decides_the_proof_status(cast, task):
    """The hook for the credentials app: a verifier that refuses blocks acceptance."""

    def refuse(document: dict) -> badgefiles.ProofCheck:
        return badgefiles.ProofCheck(badgefiles.FAILED, "Refused by the test.")

    badgefiles.register_proof_verifier(refuse)
    try:
        with pytest.raises(ValidationError, match="did not verify"):
            services.record_recognition(
                cast["learner"], task.version, by=cast["admin"], source="external",
                decision="accepted", reason="r", upload=badge_file(OB3),
            )  # fmt: skip
        declined = services.record_recognition(
            cast["learner"], task.version, by=cast["admin"], source="external",
            decision="declined", reason="Signature fails.", upload=badge_file(OB3),
        )  # fmt: skip
        assert declined.proof_status == RecognitionDecision.ProofStatus.FAILED
        assert declined.proof_reason == "Refused by the test."
        assert declined.completion is None
    finally:
        badgefiles.unregister_proof_verifier(refuse)
    assert not ModuleCompletion.objects.exists()


def test_prior_learning_is_recognised_with_evidence_and_reason(cast, task):
    decision = services.record_recognition(
        cast["learner"], task.version, by=cast["admin"], source="recognition",
        decision="accepted", reason="Five years as a data analyst; portfolio reviewed.",
        upload=SimpleUploadedFile("portfolio.pdf", PDF),
    )  # fmt: skip
    assert decision.content_type == "application/pdf"
    assert decision.completion.source == ModuleCompletion.Source.RECOGNITION
    with pytest.raises(ValidationError, match="already completed"):
        services.record_recognition(
            cast["learner"], task.version, by=cast["admin"], source="recognition",
            decision="accepted", reason="Twice",
        )  # fmt: skip


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"by": "faculty"}, "Only admins"),
        ({"reason": ""}, "reason"),
        ({"source": "external", "upload": None}, "Upload the outside credential"),
        ({"learner": "stranger"}, "not a learner"),
        ({"source": "external", "upload": b"{}"}, "not an Open Badges"),
    ],
)
def test_bad_recognition_input_is_refused_and_changes_nothing(
    cast, task, kwargs, message
):
    arguments = {
        "by": cast["admin"], "source": "recognition", "decision": "accepted",
        "reason": "Because.", "upload": None,
    }  # fmt: skip
    learner = cast[kwargs.pop("learner", "learner")]
    if "by" in kwargs:
        kwargs["by"] = cast[kwargs["by"]]
    if isinstance(kwargs.get("upload"), bytes):
        kwargs["upload"] = SimpleUploadedFile("x.json", kwargs["upload"])
    with pytest.raises(ValidationError, match=message):
        services.record_recognition(learner, task.version, **(arguments | kwargs))
    assert not RecognitionDecision.objects.exists()
    assert not ModuleCompletion.objects.exists()


def test_the_recognition_page_records_a_decision(client, cast, task):
    client.force_login(cast["faculty"])
    assert client.get(reverse("assessments:recognition")).status_code == 403
    client.force_login(cast["admin"])
    response = client.post(
        reverse("assessments:recognition"),
        {"learner": cast["learner"].username, "version": task.version.pk,
         "source": "external", "decision": "accepted",
         "reason": "Accepted outside badge.", "file": badge_file(OB2)},
    )  # fmt: skip
    assert response.status_code == 302
    page = client.get(reverse("assessments:recognition")).text
    assert "Example Badge" in page
    assert "Example Issuer" in page
    decision = RecognitionDecision.objects.get()
    download = client.get(reverse("assessments:recognition-file", args=[decision.pk]))
    assert b"".join(download.streaming_content) == (DATA / OB2).read_bytes()
    client.force_login(cast["other_learner"])
    url = reverse("assessments:recognition-file", args=[decision.pk])
    assert client.get(url).status_code == 404


def bake(png: bytes, credential: bytes, *, compressed: bool = False) -> bytes:
    """Insert an iTXt "openbadges" chunk after IHDR, as badge bakers do."""
    text = zlib.compress(credential) if compressed else credential
    body = b"openbadges\x00" + bytes([int(compressed), 0]) + b"\x00\x00" + text
    chunk = struct.pack(">I", len(body)) + b"iTXt" + body
    chunk += struct.pack(">I", zlib.crc32(b"iTXt" + body) & 0xFFFFFFFF)
    ihdr_end = 8 + 4 + 4 + 13 + 4
    return png[:ihdr_end] + chunk + png[ihdr_end:]


@pytest.mark.parametrize("compressed", [False, True])
def test_a_baked_png_badge_is_unbaked_and_checked(cast, task, compressed):
    baked = bake(PNG, (DATA / OB3).read_bytes(), compressed=compressed)
    assert badgefiles.read_badge(baked).achievement_name == "Teamwork"
    decision = services.record_recognition(
        cast["learner"], task.version, by=cast["admin"], source="external",
        decision="accepted", reason="Baked badge.",
        upload=SimpleUploadedFile("teamwork.png", baked),
    )  # fmt: skip
    assert decision.content_type == "image/png"
    assert decision.badge["baked"] is True


def test_a_plain_image_or_a_hosted_link_is_not_a_credential():
    with pytest.raises(badgefiles.BadgeFileError, match="not a baked badge"):
        badgefiles.read_badge(PNG)
    hosted = bake(PNG, b"https://example.org/beths-robotics-badge.json")
    with pytest.raises(badgefiles.BadgeFileError, match="only a link"):
        badgefiles.read_badge(hosted)
