"""A real OpenID4VCI wallet takes a learner's award end to end over HTTP:
Sphereon's maintained client (tests/wallet/wallet.mjs, draft 15) reads the
offer by reference off the learner's page, fetches the metadata, redeems the
pre-authorized code with the transaction code, asks the nonce endpoint, proves
its key with a JWT and receives the credential, which Digital Bazaar's
verifier (tests/verifier) then checks."""

import html
import json
import re
import subprocess
import tempfile
from pathlib import Path

import pytest
import requests

from accounts.models import AuditEntry
from credentials import services as credential_services
from credentials.models import WalletCredential
from integrations.models import CredentialOffer
from tests.credentials.conftest import served
from tests.credentials.jsverifier import verify_with_node
from tests.integrations.oauth.test_oauth_flows import signed_in

WALLET = Path(__file__).resolve().parents[2] / "wallet" / "wallet.mjs"
_DEEP_LINK = re.compile(r'href="(openid-credential-offer://\?[^"]+)"')
_TX_CODE = re.compile(r"data-tx-code>(\d+)<")

pytestmark = [pytest.mark.node, pytest.mark.django_db(transaction=True)]


def run_wallet(offer_uri: str, tx_code: str, *, method: str, alg: str):
    payload = {"offerUri": offer_uri, "txCode": tx_code, "method": method, "alg": alg}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(payload, handle)
        path = Path(handle.name)
    try:
        return subprocess.run(
            ["node", str(WALLET), str(path)],
            capture_output=True,
            text=True,
            timeout=90,
            check=False,
        )
    finally:
        path.unlink()


def make_offer(live_server, learner, award, *, tx_code: bool = True) -> dict:
    """Make the offer on the learner's page and read it off, as a phone would."""
    browser = signed_in(live_server, learner)
    page_url = f"{live_server.url}/integrations/wallet/{award.uuid}/"
    browser.get(page_url)
    fields = {"csrfmiddlewaretoken": browser.cookies["csrftoken"]}
    if tx_code:
        fields["tx_code"] = "1"
    made = browser.post(page_url, fields, headers={"Referer": page_url})
    assert made.status_code == 200, made.text[:500]
    link = html.unescape(_DEEP_LINK.search(made.text)[1])
    code = _TX_CODE.search(made.text)
    return {"link": link, "tx_code": code[1] if code else "", "page": made.text}


@pytest.fixture
def site(settings, live_server):
    settings.SITE_URL = live_server.url
    settings.ALLOWED_HOSTS = ["*"]


@pytest.mark.parametrize(
    ("method", "alg"),
    [("did:key", "EdDSA"), ("did:jwk", "ES256"), ("did:key", "ES256")],
)
def test_a_wallet_receives_the_award_bound_to_its_did_and_it_verifies(
    site, live_server, cast, issued, client, method, alg
):
    offer = make_offer(live_server, cast["learner"], issued)
    assert offer["link"].startswith("openid-credential-offer://?credential_offer_uri=")
    assert len(offer["tx_code"]) == 6
    assert offer["tx_code"] not in offer["link"]  # the code is not in the QR code

    completed = run_wallet(offer["link"], offer["tx_code"], method=method, alg=alg)

    assert completed.returncode == 0, completed.stderr[-3000:]
    received = json.loads(completed.stdout)
    assert received["issuer"] == live_server.url
    assert received["configurationIds"] == ["OpenBadgeCredential_ldp_vc"]
    [credential] = received["credentials"]
    assert credential["credentialSubject"]["id"] == received["did"]
    assert received["did"].startswith(method + ":")
    assert credential["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    assert credential["credentialStatus"] == issued.credential["credentialStatus"]
    original = issued.credential["credentialSubject"]
    assert credential["credentialSubject"]["achievement"] == original["achievement"]
    # The independent verifier accepts it, and notices a change of holder.
    documents = served(client, credential)
    result = verify_with_node(credential, **documents)
    assert result["verified"] is True, result
    assert result["status"] == {"revocation": False}
    tampered = {**credential, "credentialSubject": {**credential["credentialSubject"]}}
    tampered["credentialSubject"]["id"] = (
        "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    )
    assert verify_with_node(tampered, **documents)["verified"] is False
    # What was delivered is recorded, and Cairn knows the copy as the award's.
    stored = CredentialOffer.objects.get()
    assert stored.delivered_at is not None
    assert stored.wallet_credential == WalletCredential.objects.get(
        holder_did=received["did"]
    )
    entry = AuditEntry.objects.get(action="award.sent_to_wallet")
    assert entry.data["via"] == "openid4vci"
    assert entry.data["holder"] == received["did"]
    assert AuditEntry.objects.filter(action="award.wallet_offer_created").exists()
    assert credential_services.verify_credential(credential).award == issued
    # The learner's page shows where it went, and the offer is used up.
    browser = signed_in(live_server, cast["learner"])
    page = browser.get(f"{live_server.url}/integrations/wallet/{issued.uuid}/")
    assert received["did"] in page.text
    assert "openid-credential-offer://" not in page.text


def test_a_used_offer_cannot_be_taken_again(site, live_server, cast, issued):
    offer = make_offer(live_server, cast["learner"], issued)
    first = run_wallet(offer["link"], offer["tx_code"], method="did:key", alg="EdDSA")
    assert first.returncode == 0, first.stderr[-3000:]

    second = run_wallet(offer["link"], offer["tx_code"], method="did:key", alg="EdDSA")

    assert second.returncode != 0
    assert WalletCredential.objects.count() == 1


def test_a_wallet_with_the_wrong_code_gets_nothing(site, live_server, cast, issued):
    offer = make_offer(live_server, cast["learner"], issued)
    wrong = f"{(int(offer['tx_code']) + 1) % 1_000_000:06d}"

    completed = run_wallet(offer["link"], wrong, method="did:jwk", alg="ES256")

    assert completed.returncode != 0
    assert "failed with status: 400" in completed.stderr
    assert not WalletCredential.objects.exists()


def test_an_offer_without_a_code_needs_none(site, live_server, cast, issued):
    offer = make_offer(live_server, cast["learner"], issued, tx_code=False)
    assert offer["tx_code"] == ""

    completed = run_wallet(offer["link"], "", method="did:jwk", alg="EdDSA")

    assert completed.returncode == 0, completed.stderr[-3000:]
    [credential] = json.loads(completed.stdout)["credentials"]
    assert credential["credentialSubject"]["id"].startswith("did:jwk:")


def test_the_metadata_is_where_wallets_look(site, live_server):
    issuer = requests.get(f"{live_server.url}/.well-known/openid-credential-issuer")
    assert issuer.status_code == 200
    document = issuer.json()
    assert document["credential_issuer"] == live_server.url
    [server] = document["authorization_servers"]
    # RFC 8414 inserts the well-known path; some wallets append it: both answer.
    path = server.removeprefix(live_server.url)
    inserted = requests.get(
        f"{live_server.url}/.well-known/oauth-authorization-server{path}"
    )
    appended = requests.get(f"{server}/.well-known/oauth-authorization-server")
    assert inserted.json() == appended.json()
    assert inserted.json()["issuer"] == server
    assert inserted.json()["grant_types_supported"] == [
        "urn:ietf:params:oauth:grant-type:pre-authorized_code"
    ]
