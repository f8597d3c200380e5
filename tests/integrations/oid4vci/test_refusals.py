"""What the token and credential endpoints refuse, in OpenID4VCI's error codes,
and that a refusal issues nothing. The wallet's key and proofs are made here
(conftest.WalletKey); the accepted path is test_wallet_e2e.py's."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from accounts.models import AuditEntry
from credentials import services as credential_services
from credentials.models import WalletCredential
from integrations.models import CredentialOffer
from integrations.oid4vci import metadata, services
from tests.integrations.oid4vci.conftest import WalletKey

GRANT = metadata.GRANT_TYPE


def offer_for(issued, learner, *, tx_code: bool = True) -> CredentialOffer:
    return services.create_offer(issued, by=learner, asks_tx_code=tx_code)


def redeem(offer, **fields):
    data = {
        "grant_type": GRANT,
        "pre-authorized_code": services.pre_authorized_code(offer),
        "tx_code": services.tx_code(offer),
        **fields,
    }
    data = {name: value for name, value in data.items() if value is not None}
    return Client().post("/oid4vci/token", data)


def ask_credential(token: str | None, body) -> "Client.response":
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return Client().post(
        "/oid4vci/credential", data=body, content_type="application/json", **headers
    )


def nonce() -> str:
    return Client().post("/oid4vci/nonce").json()["c_nonce"]


def request_with(proof_jwt) -> dict:
    return {
        "credential_configuration_id": metadata.CONFIGURATION_ID,
        "proof": {"proof_type": "jwt", "jwt": proof_jwt},
    }


def assert_refused(response, status: int, error: str) -> None:
    assert response.status_code == status, response.content
    assert response.json()["error"] == error
    assert response.json()["error_description"]
    assert response["Cache-Control"] == "no-store"


def assert_nothing_issued() -> None:
    assert not WalletCredential.objects.exists()
    assert not AuditEntry.objects.filter(action="award.sent_to_wallet").exists()
    assert not CredentialOffer.objects.filter(delivered_at__isnull=False).exists()


@pytest.fixture
def token(cast, issued):
    """An access token redeemed from a fresh offer."""
    response = redeem(offer_for(issued, cast["learner"]))
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def test_the_token_response_says_what_a_wallet_needs(cast, issued):
    response = redeem(offer_for(issued, cast["learner"]))
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 300
    assert body["c_nonce"]
    assert response["Cache-Control"] == "no-store"
    offer = CredentialOffer.objects.get()
    assert offer.redeemed_at is not None
    assert body["access_token"] not in str(offer.token_hash)


def test_a_used_code_is_refused(cast, issued):
    offer = offer_for(issued, cast["learner"])
    assert redeem(offer).status_code == 200
    assert_refused(redeem(offer), 400, "invalid_grant")


def test_an_expired_offer_is_refused_and_no_longer_served(cast, issued):
    offer = offer_for(issued, cast["learner"])
    CredentialOffer.objects.update(
        created_at=timezone.now() - timedelta(minutes=20),
        expires_at=timezone.now() - timedelta(minutes=10),
    )
    assert_refused(redeem(offer), 400, "invalid_grant")
    uri = services.offer_link(offer).offer_uri.removeprefix(settings.SITE_URL)
    assert_refused(Client().get(uri), 410, "gone")


def test_the_offer_is_served_by_reference_while_open(cast, issued):
    offer = offer_for(issued, cast["learner"])
    uri = services.offer_link(offer).offer_uri.removeprefix(settings.SITE_URL)
    response = Client().get(uri)
    assert response.status_code == 200
    document = response.json()
    assert document["credential_issuer"] == settings.SITE_URL
    grant = document["grants"][GRANT]
    assert grant["pre-authorized_code"] == services.pre_authorized_code(offer)
    assert grant["tx_code"] == {
        "input_mode": "numeric",
        "length": 6,
        "description": grant["tx_code"]["description"],
    }
    assert services.tx_code(offer) not in response.text
    # The address's key is checked: the offer's uuid alone finds nothing.
    assert_refused(Client().get(uri[:-3] + "abc"), 404, "not_found")


def test_a_wrong_transaction_code_is_refused_and_counted(cast, issued):
    offer = offer_for(issued, cast["learner"])
    wrong = f"{(int(services.tx_code(offer)) + 1) % 1_000_000:06d}"
    for _ in range(services.MAX_WRONG_TX_CODES - 1):
        assert_refused(redeem(offer, tx_code=wrong), 400, "invalid_grant")
    assert CredentialOffer.objects.get().wrong_tx_codes == 4
    # The right code still works until the limit is reached…
    assert redeem(offer).status_code == 200


def test_too_many_wrong_transaction_codes_withdraw_the_offer(cast, issued):
    offer = offer_for(issued, cast["learner"])
    wrong = f"{(int(services.tx_code(offer)) + 1) % 1_000_000:06d}"
    for _ in range(services.MAX_WRONG_TX_CODES):
        assert_refused(redeem(offer, tx_code=wrong), 400, "invalid_grant")
    assert_refused(redeem(offer), 400, "invalid_grant")


def test_a_missing_transaction_code_is_an_invalid_request(cast, issued):
    offer = offer_for(issued, cast["learner"])
    assert_refused(redeem(offer, tx_code=None), 400, "invalid_request")
    assert CredentialOffer.objects.get().wrong_tx_codes == 0


def test_an_offer_without_a_code_takes_none(cast, issued):
    offer = offer_for(issued, cast["learner"], tx_code=False)
    assert redeem(offer, tx_code=None).status_code == 200


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"grant_type": "authorization_code"}, "unsupported_grant_type"),
        ({"pre-authorized_code": None}, "invalid_request"),
        ({"pre-authorized_code": "guessed"}, "invalid_grant"),
    ],
)
def test_bad_token_requests_are_refused(cast, issued, fields, error):
    assert_refused(redeem(offer_for(issued, cast["learner"]), **fields), 400, error)
    assert CredentialOffer.objects.get().redeemed_at is None


def test_a_revoked_award_is_not_offered_or_redeemed(cast, issued):
    offer = offer_for(issued, cast["learner"])
    credential_services.revoke_award(issued, by=cast["admin"], reason="Appeal upheld.")
    assert_refused(redeem(offer), 400, "invalid_grant")


def test_a_new_offer_replaces_the_earlier_one(cast, issued):
    first = offer_for(issued, cast["learner"])
    offer_for(issued, cast["learner"])
    assert_refused(redeem(first), 400, "invalid_grant")


def test_the_credential_endpoint_needs_the_access_token(cast, issued, wallet_key):
    proof = wallet_key.proof(audience=settings.SITE_URL, nonce=nonce())
    for token in (None, "made-up"):
        response = ask_credential(token, request_with(proof))
        assert_refused(response, 401, "invalid_token")
        assert response["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    assert_nothing_issued()


def test_an_expired_access_token_is_refused(token, wallet_key):
    CredentialOffer.objects.update(token_expires_at=timezone.now())
    proof = wallet_key.proof(audience=settings.SITE_URL, nonce=nonce())
    assert_refused(ask_credential(token, request_with(proof)), 401, "invalid_token")
    assert_nothing_issued()


def _missing_proof(key, nonce_):
    return {"credential_configuration_id": metadata.CONFIGURATION_ID}


def _tampered(key, nonce_):
    jwt = key.proof(audience=settings.SITE_URL, nonce=nonce_)
    head, payload, signature = jwt.split(".")
    signature = ("A" if signature[0] != "A" else "B") + signature[1:]
    return request_with(f"{head}.{payload}.{signature}")


def _another_key(key, nonce_):
    """Names the wallet's DID but is signed by someone else's key."""
    thief = WalletKey(seed=99)
    return request_with(
        key.proof(audience=settings.SITE_URL, nonce=nonce_, signer=thief)
    )


def _claims(**claims):
    def make(key, nonce_):
        return request_with(
            key.proof(audience=settings.SITE_URL, nonce=nonce_, claims=claims)
        )

    return make


def _header(**header):
    def make(key, nonce_):
        return request_with(
            key.proof(audience=settings.SITE_URL, nonce=nonce_, header=header)
        )

    return make


def _other_key_type(key, nonce_):
    """ES256 under an Ed25519 did:key: a key cannot make that signature."""
    return request_with(
        key.proof(
            audience=settings.SITE_URL,
            nonce=nonce_,
            header={"alg": "ES256"},
            signer=WalletKey("p256", seed=7),
        )
    )


def _other_configuration(key, nonce_):
    body = request_with(key.proof(audience=settings.SITE_URL, nonce=nonce_))
    body["credential_configuration_id"] = "UniversityDegree_jwt_vc_json"
    return body


@pytest.mark.parametrize(
    ("make", "error"),
    [
        (_missing_proof, "invalid_proof"),
        (_tampered, "invalid_proof"),
        (_another_key, "invalid_proof"),
        (_claims(aud="https://another-issuer.example"), "invalid_proof"),
        (_claims(iat=int(timezone.now().timestamp()) - 3600), "invalid_proof"),
        (_claims(exp=int(timezone.now().timestamp()) - 10), "invalid_proof"),
        (_header(typ="JWT"), "invalid_proof"),
        (_header(kid="did:web:wallet.example#key-1"), "invalid_proof"),
        (
            _header(kid=None, jwk={"kty": "OKP", "crv": "Ed25519", "x": "AA"}),
            "invalid_proof",
        ),
        (_other_key_type, "invalid_proof"),
        (lambda key, nonce_: request_with("not.a.jwt"), "invalid_proof"),
        (_other_configuration, "unknown_credential_configuration"),
        (lambda key, nonce_: ["not", "an", "object"], "invalid_credential_request"),
    ],
)
def test_a_bad_proof_or_request_is_refused_and_the_token_stays_usable(
    token, wallet_key, make, error
):
    assert_refused(ask_credential(token, make(wallet_key, nonce())), 400, error)
    assert_nothing_issued()
    # The wallet can still answer properly with the same access token.
    good = wallet_key.proof(audience=settings.SITE_URL, nonce=nonce())
    response = ask_credential(token, request_with(good))
    assert response.status_code == 200, response.content
    [delivered] = response.json()["credentials"]
    assert delivered["credential"]["credentialSubject"]["id"] == wallet_key.did


BAD_NONCES = {
    "missing": lambda: None,
    "made up by the wallet": lambda: "made-up-by-the-wallet",
    "expired": lambda: services.new_nonce(now=timezone.now() - timedelta(minutes=30)),
    "not Cairn's signature": lambda: services.new_nonce() + "x",
}


# Made in the test, not at collection: each test worker must collect the same ids.
@pytest.mark.parametrize("bad_nonce", list(BAD_NONCES))
def test_a_wrong_nonce_is_refused(token, wallet_key, bad_nonce):
    proof = wallet_key.proof(audience=settings.SITE_URL, nonce=BAD_NONCES[bad_nonce]())
    assert_refused(ask_credential(token, request_with(proof)), 400, "invalid_nonce")
    assert_nothing_issued()


def test_a_spent_nonce_is_refused(cast, issued, wallet_key):
    spent = nonce()
    first = redeem(offer_for(issued, cast["learner"])).json()["access_token"]
    proof = wallet_key.proof(audience=settings.SITE_URL, nonce=spent)
    assert ask_credential(first, request_with(proof)).status_code == 200
    second = redeem(offer_for(issued, cast["learner"])).json()["access_token"]

    replay = ask_credential(second, request_with(proof))

    assert_refused(replay, 400, "invalid_nonce")
    assert WalletCredential.objects.count() == 1


def test_an_access_token_delivers_once(token, wallet_key):
    proof = wallet_key.proof(audience=settings.SITE_URL, nonce=nonce())
    assert ask_credential(token, request_with(proof)).status_code == 200
    again = wallet_key.proof(audience=settings.SITE_URL, nonce=nonce())
    assert_refused(ask_credential(token, request_with(again)), 401, "invalid_token")
    assert WalletCredential.objects.count() == 1


def test_the_one_proof_of_1_0s_proofs_is_accepted(token):
    key = WalletKey("p256", seed=5)
    proof = key.proof(audience=settings.SITE_URL, nonce=nonce())
    body = {
        "credential_configuration_id": metadata.CONFIGURATION_ID,
        "proofs": {"jwt": [proof]},
    }
    response = ask_credential(token, body)
    assert response.status_code == 200, response.content
    [delivered] = response.json()["credentials"]
    assert delivered["credential"]["credentialSubject"]["id"] == key.did


def test_a_revoked_award_is_not_delivered(cast, issued, token, wallet_key):
    credential_services.revoke_award(issued, by=cast["admin"], reason="Appeal upheld.")
    proof = wallet_key.proof(audience=settings.SITE_URL, nonce=nonce())
    response = ask_credential(token, request_with(proof))
    assert_refused(response, 400, "credential_request_denied")
    assert_nothing_issued()


def test_unknown_addresses_answer_in_json(db):
    response = Client().get("/oid4vci/.well-known/openid-configuration")
    assert_refused(response, 404, "not_found")


def test_revoking_the_award_revokes_the_copy_a_wallet_took(cast, issued, token):
    key = WalletKey("p256", seed=11)
    proof = key.proof(audience=settings.SITE_URL, nonce=nonce())
    [delivered] = ask_credential(token, request_with(proof)).json()["credentials"]
    credential = delivered["credential"]
    assert credential_services.verify_credential(credential).status == "valid"

    credential_services.revoke_award(issued, by=cast["admin"], reason="Appeal upheld.")

    verification = credential_services.verify_credential(credential)
    assert verification.status == "revoked"
    assert verification.award == issued
