"""Wallet hand-off: the Learner Credential Wallet's request flow, end to end.

tests/verifier/wallet.mjs plays the wallet with Digital Bazaar's libraries: it
makes a did:key and signs the DID Authentication presentation the LCW posts.
"""

import copy
import html
import json
import re
import subprocess
import tempfile
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from credentials import schemas, services
from credentials.models import IssuerProfile, WalletCredential, WalletRequest
from credentials.services import wallet
from tests.credentials.conftest import served
from tests.credentials.jsverifier import verify_with_node

WALLET = Path(__file__).resolve().parents[1] / "verifier" / "wallet.mjs"
LCW_SUITE = "Ed25519Signature2020"
DI_SUITE = "eddsa-rdfc-2022"
_DEEP_LINK = re.compile(r'href="(dccrequest://request\?[^"]+)"')


def sign_as_wallet(
    challenge: str,
    *,
    suite: str = LCW_SUITE,
    seed: int = 1,
    domain: str = "",
    holder: str = "",
) -> tuple[str, dict]:
    """(the wallet's did:key, its signed DIDAuth presentation) from wallet.mjs."""
    payload = {"challenge": challenge, "suite": suite, "seedHex": f"{seed:064x}"}
    if domain:
        payload["domain"] = domain
    if holder:
        payload["holder"] = holder
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(payload, handle)
        path = Path(handle.name)
    try:
        completed = subprocess.run(
            ["node", str(WALLET), str(path)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        path.unlink()
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout)
    return result["did"], result["presentation"]


def open_link(client, learner, award) -> dict:
    """Make a wallet link as the learner and read it off the page, as a phone would."""
    client.force_login(learner)
    url = reverse("credentials:wallet-send", args=[award.uuid])
    assert client.post(url).status_code == 302
    page = client.get(url)
    assert page.status_code == 200
    link = html.unescape(_DEEP_LINK.search(page.text)[1])
    query = {name: values[0] for name, values in parse_qs(urlsplit(link).query).items()}
    return {"link": link, "page": page.text, **query}


def answer(request_url: str, presentation) -> "Client.response":
    """The wallet's POST: no session, JSON body."""
    body = presentation if isinstance(presentation, str) else json.dumps(presentation)
    return Client().post(
        request_url.removeprefix(settings.SITE_URL),
        data=body,
        content_type="application/json",
    )


def assert_nothing_issued(award) -> None:
    assert not WalletCredential.objects.filter(award=award).exists()
    assert not WalletRequest.objects.filter(award=award, used_at__isnull=False).exists()
    assert not AuditEntry.objects.filter(action="award.sent_to_wallet").exists()


def test_the_deep_link_carries_what_the_wallet_reads(client, cast, issued):
    opened = open_link(client, cast["learner"], issued)
    parts = urlsplit(opened["link"])
    assert (parts.scheme, parts.netloc) == ("dccrequest", "request")
    assert opened["auth_type"] == "bearer"
    assert opened["issuer"] == issued.credential["issuer"]["id"]
    stored = WalletRequest.objects.get(award=issued)
    assert opened["challenge"] == stored.challenge
    assert len(stored.challenge) >= 40
    assert opened["vc_request_url"] == (
        settings.SITE_URL + reverse("credentials:wallet-exchange", args=[stored.uuid])
    )
    assert stored.expires_at - stored.created_at == timedelta(minutes=15)
    assert "<svg" in opened["page"]  # the QR code
    assert (
        stored.expires_at.astimezone(timezone.get_current_timezone()).strftime("%H:%M")
        in opened["page"]
    )
    assert AuditEntry.objects.filter(action="award.wallet_request_created").exists()


def test_the_page_says_when_no_link_is_open(client, cast, issued):
    client.force_login(cast["learner"])
    page = client.get(reverse("credentials:wallet-send", args=[issued.uuid]))
    assert "No wallet link is open yet" in page.text
    assert "Not sent to any wallet yet" in page.text
    WalletRequest.objects.create(
        award=issued,
        learner=cast["learner"],
        challenge="old",
        created_at=timezone.now() - timedelta(hours=1),
        expires_at=timezone.now() - timedelta(minutes=30),
    )
    page = client.get(reverse("credentials:wallet-send", args=[issued.uuid]))
    assert "dccrequest://" not in page.text
    assert "Make a wallet link" in page.text


@pytest.mark.parametrize(
    ("role", "status"), [("other_learner", 404), ("admin", 404), ("faculty", 404)]
)
def test_only_the_learner_opens_the_wallet_page(client, cast, issued, role, status):
    url = reverse("credentials:wallet-send", args=[issued.uuid])
    client.force_login(cast[role])
    assert client.get(url).status_code == status
    assert client.post(url).status_code == status
    assert not WalletRequest.objects.exists()


def test_strangers_are_sent_to_log_in(client, issued):
    response = client.get(reverse("credentials:wallet-send", args=[issued.uuid]))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.node
@pytest.mark.parametrize(
    ("wallet_suite", "proof_format"),
    [
        (LCW_SUITE, IssuerProfile.ProofFormat.EDDSA_RDFC_2022),
        (DI_SUITE, IssuerProfile.ProofFormat.EDDSA_RDFC_2022),
        (LCW_SUITE, IssuerProfile.ProofFormat.ED25519_2020),
        (DI_SUITE, IssuerProfile.ProofFormat.ED25519_2020),
    ],
)
def test_a_wallet_gets_a_copy_bound_to_its_did_that_verifies(
    client, cast, issued, schema_validator, wallet_suite, proof_format
):
    services.set_signing_options(
        cast.organization,
        by=cast["admin"],
        proof_format=proof_format,
        suspension_entry=False,
    )
    opened = open_link(client, cast["learner"], issued)
    did, presentation = sign_as_wallet(opened["challenge"], suite=wallet_suite)

    response = answer(opened["vc_request_url"], presentation)

    assert response.status_code == 201, response.content
    credential = response.json()
    subject = credential["credentialSubject"]
    assert subject["id"] == did
    assert "emailAddress" not in {i["identityType"] for i in subject["identifier"]}
    original = issued.credential
    assert subject["achievement"] == original["credentialSubject"]["achievement"]
    assert subject.get("result") == original["credentialSubject"].get("result")
    assert credential.get("evidence") == original.get("evidence")
    assert credential["credentialStatus"] == original["credentialStatus"]
    assert credential["id"] != original["id"]
    # The copy is signed in the suite the wallet signed with: what it can verify.
    legacy = wallet_suite == LCW_SUITE
    proof = credential["proof"][0]
    if legacy:
        assert credential["@context"][0] == "https://www.w3.org/2018/credentials/v1"
        assert proof["type"] == "Ed25519Signature2020"
        assert schemas.achievement_credential_errors(credential) == []
    else:
        assert proof["cryptosuite"] == "eddsa-rdfc-2022"
        assert list(schema_validator.iter_errors(credential)) == []
    documents = served(client, credential)
    result = verify_with_node(credential, **documents)
    assert result["verified"] is True, result
    assert result["status"] == {"revocation": False}
    tampered = copy.deepcopy(credential)
    tampered["credentialSubject"]["id"] = (
        "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    )
    assert verify_with_node(tampered, **documents)["verified"] is False

    stored = WalletCredential.objects.get()
    assert (stored.award, stored.holder_did, stored.credential) == (
        issued,
        did,
        credential,
    )
    assert WalletRequest.objects.get().used_at is not None
    entry = AuditEntry.objects.get(action="award.sent_to_wallet")
    assert entry.data["holder"] == did
    # Cairn's own verifier knows it as the award's copy.
    verification = services.verify_credential(credential)
    assert verification.status == "valid", verification.checks
    assert verification.award == issued
    assert did in verification.headline
    # The learner sees where it went, on the award page and the wallet page.
    award_page = client.get(issued.get_absolute_url())
    assert did in award_page.text
    assert (
        did in client.get(reverse("credentials:wallet-send", args=[issued.uuid])).text
    )


def _signed_with_wrong_challenge(challenge: str) -> dict:
    return sign_as_wallet(challenge + "x")[1]


def _tampered_signature(challenge: str) -> dict:
    presentation = sign_as_wallet(challenge)[1]
    value = presentation["proof"]["proofValue"]
    presentation["proof"]["proofValue"] = value[:-4] + (
        "1111" if value[-4:] != "1111" else "2222"
    )
    return presentation


def _tampered_content(challenge: str) -> dict:
    presentation = sign_as_wallet(challenge)[1]
    presentation["id"] = "urn:uuid:5c1b3a2e-0000-4000-8000-000000000000"
    return presentation


def _another_dids_key(challenge: str) -> dict:
    victim, _ = sign_as_wallet(challenge, seed=2)
    return sign_as_wallet(challenge, seed=3, holder=victim)[1]


def _did_web_holder(challenge: str) -> dict:
    return sign_as_wallet(challenge, holder="did:web:wallet.example.com")[1]


def _foreign_domain(challenge: str) -> dict:
    return sign_as_wallet(challenge, suite=DI_SUITE, domain="evil.example.com")[1]


def _assertion_purpose(challenge: str) -> dict:
    presentation = sign_as_wallet(challenge)[1]
    presentation["proof"]["proofPurpose"] = "assertionMethod"
    return presentation


@pytest.mark.node
@pytest.mark.parametrize(
    ("make", "status", "code"),
    [
        (_signed_with_wrong_challenge, 403, "wrong-challenge"),
        (_tampered_signature, 403, "bad-signature"),
        (_tampered_content, 403, "bad-signature"),
        (_another_dids_key, 403, "foreign-key"),
        (_did_web_holder, 400, "unsupported-did-method"),
        (_foreign_domain, 403, "wrong-domain"),
        (_assertion_purpose, 400, "wrong-purpose"),
        (lambda challenge: {"type": "VerifiableCredential"}, 400, "not-a-presentation"),
        (lambda challenge: "{not json", 400, "not-json"),
    ],
)
def test_a_bad_answer_is_refused_stores_nothing_and_leaves_the_link_usable(
    client, cast, issued, make, status, code
):
    opened = open_link(client, cast["learner"], issued)

    response = answer(opened["vc_request_url"], make(opened["challenge"]))

    assert response.status_code == status, response.content
    assert response.json()["error"] == code
    assert response.json()["message"]
    assert_nothing_issued(issued)
    # The failed attempt did not use the link up: the real wallet still can.
    _, presentation = sign_as_wallet(opened["challenge"], seed=7)
    assert answer(opened["vc_request_url"], presentation).status_code == 201


def test_the_did_web_refusal_says_why(client, cast, issued):
    opened = open_link(client, cast["learner"], issued)
    presentation = sign_as_wallet(opened["challenge"], holder="did:web:x.example")[1]
    message = answer(opened["vc_request_url"], presentation).json()["message"]
    assert "did:key" in message
    assert "did:web" in message


@pytest.mark.node
def test_a_domain_naming_this_site_is_accepted(client, cast, issued):
    opened = open_link(client, cast["learner"], issued)
    host = urlsplit(settings.SITE_URL).netloc
    _, presentation = sign_as_wallet(opened["challenge"], suite=DI_SUITE, domain=host)
    assert answer(opened["vc_request_url"], presentation).status_code == 201


@pytest.mark.node
def test_a_replayed_answer_is_refused(client, cast, issued):
    opened = open_link(client, cast["learner"], issued)
    _, presentation = sign_as_wallet(opened["challenge"])
    assert answer(opened["vc_request_url"], presentation).status_code == 201

    replay = answer(opened["vc_request_url"], presentation)

    assert replay.status_code == 409
    assert replay.json()["error"] == "already-used"
    assert WalletCredential.objects.count() == 1


@pytest.mark.node
def test_an_expired_link_is_refused(client, cast, issued):
    opened = open_link(client, cast["learner"], issued)
    WalletRequest.objects.update(
        created_at=timezone.now() - timedelta(minutes=30),
        expires_at=timezone.now() - timedelta(minutes=15),
    )
    _, presentation = sign_as_wallet(opened["challenge"])

    response = answer(opened["vc_request_url"], presentation)

    assert response.status_code == 410
    assert response.json()["error"] == "expired"
    assert_nothing_issued(issued)


@pytest.mark.node
def test_a_new_link_replaces_the_earlier_one(client, cast, issued):
    first = open_link(client, cast["learner"], issued)
    second = open_link(client, cast["learner"], issued)
    assert first["challenge"] != second["challenge"]
    _, presentation = sign_as_wallet(first["challenge"])

    response = answer(first["vc_request_url"], presentation)

    assert response.status_code == 410
    assert response.json()["error"] == "expired"
    assert_nothing_issued(issued)
    _, presentation = sign_as_wallet(second["challenge"])
    assert answer(second["vc_request_url"], presentation).status_code == 201


@pytest.mark.node
def test_a_revoked_award_is_not_sent(client, cast, issued):
    opened = open_link(client, cast["learner"], issued)
    services.revoke_award(issued, by=cast["admin"], reason="Appeal upheld.")
    _, presentation = sign_as_wallet(opened["challenge"])

    response = answer(opened["vc_request_url"], presentation)

    assert response.status_code == 409
    assert response.json()["error"] == "revoked"
    assert_nothing_issued(issued)
    issued.refresh_from_db()
    with pytest.raises(ValidationError):
        wallet.create_wallet_request(issued, by=cast["learner"])
    page = client.get(reverse("credentials:wallet-send", args=[issued.uuid]))
    assert "has been revoked" in page.text
    assert "dccrequest://" not in page.text


def test_an_unknown_request_url_is_404(db):
    url = reverse(
        "credentials:wallet-exchange", args=["1d2f0c8e-6a7b-4c5d-9e0f-a1b2c3d4e5f6"]
    )
    response = Client().post(url, data="{}", content_type="application/json")
    assert response.status_code == 404
    assert response.json()["error"] == "unknown-request"


def test_an_oversized_answer_is_refused_unread(client, cast, issued):
    opened = open_link(client, cast["learner"], issued)
    response = answer(opened["vc_request_url"], "[" + "0," * 40_000 + "0]")
    assert response.status_code == 413
    assert_nothing_issued(issued)


def test_a_stream_of_answers_is_slowed_down(client, cast, issued):
    opened = open_link(client, cast["learner"], issued)
    statuses = [answer(opened["vc_request_url"], "{}").status_code for _ in range(11)]
    assert statuses[:10] == [400] * 10
    assert statuses[10] == 429
    assert_nothing_issued(issued)


@pytest.mark.node
def test_revoking_the_award_revokes_the_wallet_copy(client, cast, issued):
    opened = open_link(client, cast["learner"], issued)
    _, presentation = sign_as_wallet(opened["challenge"])
    credential = answer(opened["vc_request_url"], presentation).json()

    services.revoke_award(issued, by=cast["admin"], reason="Appeal upheld.")

    result = verify_with_node(credential, **served(client, credential))
    assert result["verified"] is False
    assert result["status"]["revocation"] is True
    verification = services.verify_credential(credential)
    assert verification.status == "revoked"
    assert "Appeal upheld." in " ".join(check.says for check in verification.checks)
    api = Client().post("/api/verify", data=credential, content_type="application/json")
    assert api.json()["status"] == "revoked"
    upload = Client().post(
        reverse("credentials:verify-upload"), {"text": json.dumps(credential)}
    )
    assert "Revoked" in upload.text


@pytest.mark.node
def test_after_a_did_key_rotation_the_copy_has_its_own_entry_that_follows_the_award(
    client, cast, issued, settings
):
    settings.CAIRN_DID_METHOD = "key"
    services.rotate_signing_key(cast.organization, by=cast["admin"])
    opened = open_link(client, cast["learner"], issued)
    _, presentation = sign_as_wallet(opened["challenge"])
    credential = answer(opened["vc_request_url"], presentation).json()
    assert credential["issuer"]["id"] != issued.credential["issuer"]["id"]
    assert credential["credentialStatus"] != issued.credential["credentialStatus"]
    assert verify_with_node(credential, **served(client, credential))["verified"]

    services.revoke_award(issued, by=cast["admin"], reason="Wrong learner.")

    result = verify_with_node(credential, **served(client, credential))
    assert result["status"]["revocation"] is True
    assert services.verify_credential(credential).status == "revoked"


def test_the_open_link_refreshes_itself_in_place(client, cast, issued):
    opened = open_link(client, cast["learner"], issued)
    assert 'hx-trigger="every 5s"' in opened["page"]
    fragment = client.get(
        reverse("credentials:wallet-send", args=[issued.uuid]), HTTP_HX_REQUEST="true"
    )
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<section id="handoff"')
    assert "<html" not in fragment.text
    assert "dccrequest://request?" in fragment.text


@pytest.mark.node
def test_a_suspended_award_is_not_sent(client, cast, issued):
    opened = open_link(client, cast["learner"], issued)
    issued.suspended_at = timezone.now()
    issued.save(update_fields=["suspended_at"])
    _, presentation = sign_as_wallet(opened["challenge"])

    response = answer(opened["vc_request_url"], presentation)

    assert response.status_code == 409
    assert response.json()["error"] == "suspended"
    assert_nothing_issued(issued)


@pytest.fixture
def web_issuer(settings, cast):
    settings.CAIRN_DID_METHOD = "web"
    settings.SITE_URL = "https://credentials.example.edu"


@pytest.mark.node
@pytest.mark.parametrize("wallet_suite", [DI_SUITE, LCW_SUITE])
def test_a_did_web_issuer_copy_verifies_and_shares_the_awards_entry(
    client, cast, web_issuer, issued, wallet_suite
):
    """An organization on eddsa-rdfc-2022 answers the Learner Credential Wallet
    with Ed25519Signature2020, whose verifiers accept only an
    Ed25519VerificationKey2020: its DID document lists each key that way too."""
    assert issued.credential["issuer"]["id"].startswith("did:web:")
    opened = open_link(client, cast["learner"], issued)
    _, presentation = sign_as_wallet(
        opened["challenge"], suite=wallet_suite, domain="credentials.example.edu"
    )
    credential = answer(opened["vc_request_url"], presentation).json()
    method = credential["proof"][0]["verificationMethod"]
    did_document = served(client, credential)["did_documents"][method.split("#")[0]]
    [listed] = [m for m in did_document["verificationMethod"] if m["id"] == method]
    if wallet_suite == LCW_SUITE:
        assert credential["proof"][0]["type"] == "Ed25519Signature2020"
        assert listed["type"] == "Ed25519VerificationKey2020"
        assert method in did_document["assertionMethod"]
    else:
        assert listed["type"] == "Multikey"
    assert services.verify_credential(credential).status == "valid"
    assert credential["issuer"]["id"] == issued.credential["issuer"]["id"]
    assert credential["credentialStatus"] == issued.credential["credentialStatus"]
    documents = served(client, credential)
    assert verify_with_node(credential, **documents)["verified"] is True

    services.revoke_award(issued, by=cast["admin"], reason="Appeal upheld.")

    result = verify_with_node(credential, **served(client, credential))
    assert result["status"]["revocation"] is True
