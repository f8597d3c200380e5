"""Credentials from elsewhere (1EdTech, the Digital Credentials Consortium, the JFF
plugfests, Badgr): verification by upload and recognition give one verdict with
the real reason, and the independent verifier agrees on every signature."""

import base64
import json
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments import badgeformats
from assessments import services as assessments
from assessments.models import ModuleCompletion, RecognitionDecision
from credentials import dataintegrity, legacy_suites
from credentials.services import verify_credential
from tests import builders
from tests.credentials.jsverifier import VERIFIER

DATA = Path(__file__).resolve().parents[1] / "data"
# The project's standards bundle, beside the repository (and beside CI's clone).
STANDARDS = Path(__file__).resolve().parents[3] / "shared" / "standards"
Status = RecognitionDecision.ProofStatus

pytestmark = pytest.mark.django_db


def _controller(identifier: str, *keys: str, key_type: str = "Multikey") -> dict:
    document = dataintegrity.did_document(
        identifier, [(f"#{key}", key, key_type) for key in keys]
    )
    return document


def _svg_jwt_key() -> dict:
    text = (DATA / "openbadges3/dcpv-ob30-simple-jwt.svg").read_text()
    token = text.split('verify="', 1)[1].split('"', 1)[0]
    return legacy_suites.jwt_parts(token)[0]["jwk"]


def _pinned_documents() -> dict[str, dict]:
    """What an administrator pins after confirming each key with its issuer (the
    1EdTech test vector's controller document as published; for the other
    1EdTech test issuers, documents listing the keys their credentials name)."""
    vector = json.loads(
        (DATA / "openbadges3/1edtech-ob3-test-vector.controller.json").read_text()
    )
    example_com = _controller(
        "https://example.com/issuers/876543",
        "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi",
        "z6MkrvfzkMnvCroEUP2DVc9SHPE48CRsvHiVSusHioxTYu1x",
    )
    edtech = _controller(
        "https://1edtech.edu/issuers/565049",
        "z6Mknyb2Gb4NxzW3xSr9ChTtdQZ1zs77piQ3r9SaJ9vMzmrs",
    )
    edtech["verificationMethod"].append(
        {"id": "https://1edtech.edu/issuers/565049#rsa", "type": "JsonWebKey",
         "controller": "https://1edtech.edu/issuers/565049",
         "publicKeyJwk": _svg_jwt_key()}
    )  # fmt: skip
    edtech["assertionMethod"].append("https://1edtech.edu/issuers/565049#rsa")
    wellspring = _controller(
        "did:web:dc.1edtech.org:wellspring2022:wellspring-portal:org:"
        "da1e96e9-afcc-4eed-b9a2-2ddf7353214c",
        "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi",
        key_type="Ed25519VerificationKey2020",
    )
    return {d["id"]: d for d in (vector, example_com, edtech, wellspring)}


@pytest.fixture
def pinned(settings, tmp_path):
    for number, document in enumerate(_pinned_documents().values()):
        (tmp_path / f"issuer-{number}.json").write_text(json.dumps(document))
    settings.CAIRN_ISSUER_DOCUMENTS = [str(tmp_path)]
    return tmp_path


ACCEPTED, REFUSED = "accepted", "refused"

# file, verdict by upload, its reason, recognition (accepted with a proof status,
# or refused), and the words recognition records.
TABLE = [
    ("openbadges2/badgr-0_5_basic_instance.json", "not-checked",
     "an Open Badges 0.5 assertion carries no signature", ACCEPTED, Status.UNCHECKED,
     "genuine only if its issuer's site (http://oldstyle.com)"),
    ("openbadges2/dcpv-ob20-badgeclass1.json", "invalid", "must be an Assertion",
     REFUSED, None, "must be an Assertion"),
    ("openbadges2/dcpv-ob20-basic-assertion.json", "not-checked",
     "https://example.org/beths-robotics-badge.json, which Cairn does not fetch",
     ACCEPTED, Status.UNCHECKED, "hosted Open Badges 2.0 assertion"),
    ("openbadges2/dcpv-ob20-issuer1.json", "invalid", "must be an Assertion",
     REFUSED, None, "must be an Assertion"),
    ("openbadges2/dcpv-ob20-simple-badge.png", "not-checked",
     "hosted Open Badges 2.0 assertion", ACCEPTED, Status.UNCHECKED,
     "https://example.org/beths-robotics-badge.json"),
    ("openbadges3/1edtech-ob3-test-vector.controller.json", "invalid",
     "neither the W3C Verifiable Credentials context", REFUSED, None,
     "not an Open Badges credential"),
    ("openbadges3/1edtech-ob3-test-vector.json", "valid",
     "The signature is genuine", ACCEPTED, Status.VERIFIED,
     "listed for issuing in the issuer's pinned document"),
    ("openbadges3/dcpv-ob30-complete.json", "not-checked",
     "It names a 1EdTech revocation list at "
     "https://1edtech.edu/credentials/3732/revocations, which Cairn does not fetch",
     ACCEPTED, Status.VERIFIED, "whether it has been revoked is not known"),
    ("openbadges3/dcpv-ob30-credential-status-revoked.json", "not-checked",
     "It names a 1EdTech revocation list at https://dc.1edtech.org/wellspring2022/",
     ACCEPTED, Status.VERIFIED, "whether it has been revoked is not known"),
    ("openbadges3/dcpv-ob30-simple-err-expired.json", "expired",
     "It expired on 1 Jan 2010", REFUSED, None, "expired on 1 Jan 2010"),
    ("openbadges3/dcpv-ob30-simple-json.png", "valid", "The signature is genuine",
     ACCEPTED, Status.VERIFIED, "listed for issuing"),
    ("openbadges3/dcpv-ob30-simple-jwt.svg", "valid", "The JWT's signature is genuine",
     ACCEPTED, Status.VERIFIED, "listed for issuing"),
    ("openbadges3/dcpv-ob30-simple.json", "valid", "The signature is genuine",
     ACCEPTED, Status.VERIFIED, "listed for issuing"),
    ("openbadges3/jff-plugfest3-signed-badge-example.json", "unknown-issuer",
     "which is not an issuer on this site", ACCEPTED, Status.VERIFIED,
     "A did:key names only a key"),
    ("openbadges3/spec-ob3-endorsementcredential.json", "not-checked",
     "It carries no signature", REFUSED, None, "Only achievement credentials"),
    ("openbadges3/spec-ob3-full-openbadgecredential.json", "not-checked",
     "It carries no signature", ACCEPTED, Status.UNCHECKED, "carries no signature"),
]  # fmt: skip


def test_the_table_covers_every_sample_in_the_standards_bundle():
    bundle = sorted(
        f"{folder}/{path.name}"
        for folder in ("openbadges2", "openbadges3")
        for path in (STANDARDS / folder).glob("*")
    )
    if not bundle:  # the bundle is beside every checkout this project runs in
        pytest.fail(f"No standards bundle at {STANDARDS}")
    assert sorted(row[0] for row in TABLE) == bundle
    for name in bundle:
        assert (DATA / name).read_bytes() == (STANDARDS / name).read_bytes(), name


def _says(result: dict) -> str:
    return " ".join([result["headline"], *(c["says"] for c in result["checks"])])


@pytest.mark.parametrize(
    ("name", "verdict", "reason", "recognition", "proof", "recorded"), TABLE
)
def test_each_outside_file_has_one_verdict_for_upload_and_recognition(
    client, cast, pinned, name, verdict, reason, recognition, proof, recorded
):
    data = (DATA / name).read_bytes()
    response = client.post(
        "/api/verify",
        {"file": SimpleUploadedFile(Path(name).name, data)},
    )
    assert response.status_code == 200, response.content
    result = response.json()
    assert (result["status"], reason in _says(result)) == (verdict, True), result

    task = builders.make_module(cast, "X-100")
    upload = SimpleUploadedFile(Path(name).name, data)
    arguments = {
        "by": cast["admin"], "source": "external", "decision": "accepted",
        "reason": "Maps to this module's outcomes.", "upload": upload,
    }  # fmt: skip
    if recognition == REFUSED:
        with pytest.raises(ValidationError, match=recorded):
            assessments.record_recognition(cast["learner"], task.version, **arguments)
        assert not ModuleCompletion.objects.exists()
        return
    decision = assessments.record_recognition(
        cast["learner"], task.version, **arguments
    )
    assert decision.proof_status == proof
    assert recorded in decision.proof_reason
    assert decision.completion is not None


SIGNED = [row[0] for row in TABLE if row[1] in ("valid", "unknown-issuer")] + [
    "openbadges3/dcpv-ob30-complete.json",
    "openbadges3/dcpv-ob30-credential-status-revoked.json",
    "openbadges3/dcpv-ob30-simple-err-expired.json",
    "clr2/dcpv-clr20-complex.json",
]


def _node(payload: dict) -> dict:
    import subprocess
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(payload, handle)
    try:
        completed = subprocess.run(
            ["node", str(VERIFIER), handle.name],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    finally:
        Path(handle.name).unlink()
    return json.loads(completed.stdout)


def _tampered(document: dict) -> dict:
    changed = json.loads(json.dumps(document))
    changed["credentialSubject"]["id"] = "did:example:someone-else"
    return changed


@pytest.mark.node
@pytest.mark.parametrize("name", SIGNED)
def test_the_independent_verifier_agrees_on_every_signature(pinned, name):
    opened = badgeformats.open_file((DATA / name).read_bytes())
    documents = _pinned_documents()
    if opened.jwt:
        payload = {"jwt": opened.jwt, "didDocuments": documents}
    else:
        # The proofs alone: a moment within the credential's own validity.
        document = opened.document
        moment = document.get("validFrom") or document.get("issuanceDate")
        payload = {
            "credential": document, "didDocuments": documents,
            "signatureOnly": True, "now": moment,
        }  # fmt: skip
    node = _node(payload)
    ours = verify_credential(opened.document, jwt=opened.jwt)
    signature = next(c for c in ours.checks if c.name == "signature")
    issuer_error = "Credential issuer must match the verification method controller."
    if node["errors"] and node["errors"][-1].endswith(issuer_error):
        # The signature verified; the key is not the issuer's (the CLR sample is
        # issued by a urn:uuid and signed by a did:key): both verifiers say so.
        assert not ours.issuer_bound
        node["verified"] = True
    assert (signature.passed, node["verified"]) == (True, True), (signature.says, node)
    if opened.jwt:
        header, body, sig = opened.jwt.split(".")
        claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        claims["name"] = "Something grander"
        forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=")
        tampered_jwt = f"{header}.{forged.decode()}.{sig}"
        tampered = badgeformats.open_text(tampered_jwt)
        node = _node({"jwt": tampered_jwt, "didDocuments": documents})
        ours = verify_credential(tampered.document, jwt=tampered.jwt)
    else:
        changed = _tampered(opened.document)
        node = _node({**payload, "credential": changed})
        ours = verify_credential(changed)
    assert (ours.status, node["verified"]) == ("tampered", False)


def test_a_pinned_1edtech_revocation_list_is_read(pinned):
    """Where the list can be read (an administrator pinned it), its result counts."""
    credential = json.loads((DATA / "openbadges3/dcpv-ob30-complete.json").read_text())
    url = credential["credentialStatus"]["id"]
    revoked = {"id": credential["id"], "revocationReason": "Awarded in error."}
    listed = {"id": url, "type": "RevocationList", "revokedCredentials": [revoked]}
    (pinned / "revocations.json").write_text(json.dumps(listed))
    result = verify_credential(credential)
    status = next(c for c in result.checks if c.name == "status")
    assert (result.status, status.says) == (
        "revoked",
        f"The issuer's revocation list ({url}) names it as revoked: Awarded in error.",
    )
    listed["revokedCredentials"] = []
    (pinned / "revocations.json").write_text(json.dumps(listed))
    result = verify_credential(credential)
    assert result.status == "valid"
    assert "does not name it as revoked" in result.checks[2].says


@pytest.mark.parametrize(
    "name",
    ["openbadges3/jff-plugfest3-signed-badge-example.json",
     "clr2/dcpv-clr20-complex.json"],
)  # fmt: skip
def test_a_genuine_signature_of_another_suite_is_never_called_altered(name):
    result = verify_credential(json.loads((DATA / name).read_text()))
    signature = next(c for c in result.checks if c.name == "signature")
    assert signature.passed
    assert result.status != "tampered"


def test_a_proof_suite_cairn_does_not_implement_is_not_checked():
    credential = json.loads((DATA / "openbadges3/dcpv-ob30-simple.json").read_text())
    credential["proof"][0]["cryptosuite"] = "ecdsa-rdfc-2019"
    result = verify_credential(credential)
    assert result.status == "not-checked"
    assert result.headline == "Not checked: this proof type is not supported."
    assert "DataIntegrityProof (ecdsa-rdfc-2019)" in result.checks[0].says


def test_an_expired_outside_credential_counts_only_when_accepted_as_expired(
    cast, pinned
):
    task = builders.make_module(cast, "X-200")
    data = (DATA / "openbadges3/dcpv-ob30-simple-err-expired.json").read_bytes()
    arguments = {
        "by": cast["admin"], "source": "external", "decision": "accepted",
        "reason": "Expired, but the learning is recent enough for this module.",
    }  # fmt: skip
    with pytest.raises(ValidationError, match="accept it as expired"):
        assessments.record_recognition(
            cast["learner"], task.version,
            upload=SimpleUploadedFile("b.json", data), **arguments,
        )  # fmt: skip
    assert not RecognitionDecision.objects.exists()
    decision = assessments.record_recognition(
        cast["learner"], task.version, accept_expired=True,
        upload=SimpleUploadedFile("b.json", data), **arguments,
    )  # fmt: skip
    assert decision.badge["expired"] is True
    assert decision.badge["accepted_expired"] is True
    assert decision.completion is not None
    from accounts.models import AuditEntry

    entry = AuditEntry.objects.get(action="recognition.accepted")
    assert entry.data["accepted_expired"] is True


def test_the_recognition_page_asks_before_accepting_an_expired_credential(client, cast):
    task = builders.make_module(cast, "X-300")
    client.force_login(cast["admin"])
    data = (DATA / "openbadges3/dcpv-ob30-simple-err-expired.json").read_bytes()
    form = {
        "learner": cast["learner"].username, "version": task.version.pk,
        "source": "external", "decision": "accepted", "reason": "Recent.",
    }  # fmt: skip
    response = client.post(
        reverse("assessments:recognition"),
        {**form, "file": SimpleUploadedFile("b.json", data)},
    )
    assert response.status_code == 200
    assert "accept it as expired" in response.text
    assert not ModuleCompletion.objects.exists()
    response = client.post(
        reverse("assessments:recognition"),
        {**form, "accept_expired": "on", "file": SimpleUploadedFile("b.json", data)},
    )
    assert response.status_code == 302
    assert ModuleCompletion.objects.count() == 1
    page = client.get(reverse("assessments:recognition")).text
    assert "Accepted although expired" in page


def _deep(levels: int) -> bytes:
    return b'{"a":' * levels + b"1" + b"}" * levels


@pytest.mark.parametrize("levels", [100_000, 200])
def test_deeply_nested_json_gets_a_clear_message_and_changes_nothing(
    client, cast, levels
):
    assert sys.getrecursionlimit() < 100_000
    response = client.post(
        "/api/verify", {"file": SimpleUploadedFile("d.json", _deep(levels))}
    )
    assert response.status_code == 400
    assert "nested" in response.json()["detail"]
    response = client.post(
        "/api/verify", _deep(levels), content_type="application/json"
    )
    assert response.status_code in (200, 400)
    assert "nested" in response.text
    page = client.post(
        reverse("credentials:verify-upload"),
        {"file": SimpleUploadedFile("d.json", _deep(levels))},
    )
    assert page.status_code == 400
    assert "nested" in page.text
    task = builders.make_module(cast, "X-400")
    with pytest.raises(ValidationError, match="nested"):
        assessments.record_recognition(
            cast["learner"], task.version, by=cast["admin"], source="external",
            decision="accepted", reason="r",
            upload=SimpleUploadedFile("d.json", _deep(levels)),
        )  # fmt: skip
    assert not RecognitionDecision.objects.exists()


def test_every_baking_form_is_read_alike(tmp_path):
    """OB 3.0 PNG (JSON), OB 3.0 SVG (JSON and JWT), OB 2.0 PNG (JSON) and SVG:
    one reader gives the same credential to both callers."""
    from credentials import baking

    png = baking.credential_from_file(
        (DATA / "openbadges3/dcpv-ob30-simple-json.png").read_bytes()
    )
    svg = badgeformats.open_file(
        (DATA / "openbadges3/dcpv-ob30-simple-jwt.svg").read_bytes()
    )
    assert png["credentialSubject"]["achievement"]["name"] == "Teamwork"
    assert svg.jwt
    assert svg.baked == "svg"
    assert svg.document["credentialSubject"]["achievement"]["name"] == "Teamwork"
    assertion = (DATA / "openbadges2/dcpv-ob20-basic-assertion.json").read_text()
    ob2_svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" '
        'xmlns:openbadges="http://openbadges.org">'
        f'<openbadges:assertion verify="https://example.org/a.json"><![CDATA['
        f"{assertion}]]></openbadges:assertion></svg>"
    ).encode()
    opened = badgeformats.open_file(ob2_svg)
    assert opened.document["type"] == "Assertion"
    assert baking.credential_from_file(ob2_svg) == opened.document
    ob3_svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" '
        'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">'
        "<openbadges:credential><![CDATA["
        f"{(DATA / 'openbadges3/dcpv-ob30-simple.json').read_text()}"
        "]]></openbadges:credential></svg>"
    ).encode()
    assert badgeformats.open_file(ob3_svg).document["id"] == png["id"]


def _jwt_by_did_key(seed: bytes, claims: dict) -> str:
    """A VC-JWT as an outside issuer makes it: EdDSA, kid its did:key method."""
    from joserfc import jws
    from joserfc.jwk import OKPKey

    public = dataintegrity.public_key_multibase(seed)
    key = OKPKey.import_key(
        {
            "kty": "OKP",
            "crv": "Ed25519",
            "d": base64.urlsafe_b64encode(seed).rstrip(b"=").decode(),
            **legacy_suites.multikey_jwk(public),
        }
    )
    header = {
        "alg": "EdDSA",
        "typ": "JWT",
        "kid": dataintegrity.did_key_verification_method(public),
    }
    return jws.serialize_compact(
        header, json.dumps(claims).encode(), key, algorithms=["EdDSA"]
    )


# Issuers still sign with "EdDSA" (RFC 9864 prefers "Ed25519"): so does this one.
@pytest.mark.filterwarnings("ignore:EdDSA is deprecated")
def test_a_vc_jwt_signed_with_a_did_key_is_checked_and_its_exp_counts(client, cast):
    seed = b"\x09" * 32
    did = dataintegrity.did_key(dataintegrity.public_key_multibase(seed))
    credential = json.loads((DATA / "openbadges3/dcpv-ob30-simple.json").read_text())
    del credential["proof"]
    credential["issuer"] = {"id": did, "type": ["Profile"], "name": "Elsewhere"}
    claims = {**credential, "iss": did, "jti": credential["id"], "nbf": 1262304000}
    token = _jwt_by_did_key(seed, claims)
    response = client.post(
        "/api/verify", {"file": SimpleUploadedFile("badge.jwt", token.encode())}
    )
    result = response.json()
    assert result["status"] == "unknown-issuer"  # a did:key names only a key
    assert result["checks"][0]["passed"] is True
    task = builders.make_module(cast, "X-500")
    decision = assessments.record_recognition(
        cast["learner"], task.version, by=cast["admin"], source="external",
        decision="accepted", reason="Partner badge.",
        upload=SimpleUploadedFile("badge.jwt", token.encode()),
    )  # fmt: skip
    assert decision.proof_status == Status.VERIFIED
    assert decision.content_type == "application/jwt"

    header, _, signature = token.split(".")
    forged_claims = {**claims, "name": "Something grander"}
    forged = base64.urlsafe_b64encode(json.dumps(forged_claims).encode())
    forged_token = f"{header}.{forged.rstrip(b'=').decode()}.{signature}"
    response = client.post("/api/verify", {"credential": forged_token},
                           content_type="application/json")  # fmt: skip
    assert response.json()["status"] == "tampered"

    expired = _jwt_by_did_key(seed, {**claims, "exp": 1293840000})  # 1 Jan 2011
    result = client.post(
        "/api/verify", {"file": SimpleUploadedFile("old.jwt", expired.encode())}
    ).json()
    assert "It expired on 1 Jan 2011." in [c["says"] for c in result["checks"]]
    with pytest.raises(ValidationError, match="expired on 1 Jan 2011"):
        assessments.record_recognition(
            cast["other_learner"], task.version, by=cast["admin"],
            source="external", decision="accepted", reason="Old badge.",
            upload=SimpleUploadedFile("old.jwt", expired.encode()),
        )  # fmt: skip


def test_a_badge_holding_only_a_hosted_link_is_not_checked(client, cast):
    from tests.assessments.test_bad_input import PNG
    from tests.assessments.test_recognition import bake

    url = "https://example.org/beths-robotics-badge.json"
    baked = bake(PNG, url.encode())
    result = client.post(
        "/api/verify", {"file": SimpleUploadedFile("b.png", baked)}
    ).json()
    assert result["status"] == "not-checked"
    assert f"({url}), which Cairn does not fetch" in result["checks"][0]["says"]
    page = client.post(
        reverse("credentials:verify-upload"),
        {"file": SimpleUploadedFile("b.png", baked)},
    )
    assert page.status_code == 200
    assert "hosted on its issuer&#x27;s site" in page.text
    task = builders.make_module(cast, "X-600")
    with pytest.raises(ValidationError, match="only a link"):
        assessments.record_recognition(
            cast["learner"], task.version, by=cast["admin"], source="external",
            decision="accepted", reason="r", upload=SimpleUploadedFile("b.png", baked),
        )  # fmt: skip
