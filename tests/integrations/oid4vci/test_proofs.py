"""The proof module alone (no database): which keys it resolves, which proofs
it refuses and why; and the metadata's promises match what it checks."""

import base64
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.oid4vci import metadata, proofs
from tests.integrations.oid4vci.conftest import WalletKey

AUDIENCE = "https://cairn.example.edu"


def _did_jwk(jwk: dict) -> str:
    encoded = base64.urlsafe_b64encode(json.dumps(jwk).encode()).rstrip(b"=")
    return "did:jwk:" + encoded.decode()


@pytest.mark.parametrize("kind", ["ed25519", "p256"])
def test_a_good_proof_names_its_holder(kind):
    key = WalletKey(kind, seed=3)
    holder = proofs.check_jwt_proof(
        key.proof(audience=AUDIENCE, nonce="n-1"), audience=AUDIENCE, now=timezone.now()
    )
    assert (holder.did, holder.kid, holder.nonce) == (key.did, key.kid, "n-1")


def test_an_audience_list_naming_the_issuer_is_accepted():
    key = WalletKey()
    token = key.proof(audience=AUDIENCE, nonce="n", claims={"aud": [AUDIENCE, "x"]})
    assert proofs.check_jwt_proof(token, audience=AUDIENCE, now=timezone.now())


def test_a_did_key_without_a_fragment_is_its_own_key():
    key = WalletKey()
    assert proofs.resolve_holder_key(key.did) == proofs.resolve_holder_key(key.kid)


@pytest.mark.parametrize(
    ("kid", "says"),
    [
        ("did:web:wallet.example#key-1", "did:web"),
        ("https://wallet.example/key", "not a DID"),
        ("did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme", "kind of key"),
        (
            "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK#other",
            "not the key",
        ),
        (_did_jwk({"kty": "OKP", "crv": "Ed25519", "x": "AA", "d": "AA"}), "private"),
        (_did_jwk({"kty": "RSA", "n": "AQAB", "e": "AQAB"}), "kind of key"),
        (_did_jwk({"kty": "OKP", "crv": "Ed25519", "x": "AA"}) + "#1", "#0"),
        ("did:jwk:%%%", "base64url"),
        ("did:key:z" + "1" * 300, "longer"),
    ],
)
def test_keys_cairn_cannot_check_offline_are_refused(kid, says):
    with pytest.raises(proofs.ProofError) as refused:
        proofs.resolve_holder_key(kid)
    assert says in refused.value.message
    assert refused.value.code == "invalid_proof"


def test_a_proof_made_too_far_ahead_is_refused():
    key = WalletKey()
    ahead = timezone.now() + timedelta(minutes=5)
    with pytest.raises(proofs.ProofError, match="just now"):
        proofs.check_jwt_proof(
            key.proof(audience=AUDIENCE, nonce="n", now=ahead),
            audience=AUDIENCE,
            now=timezone.now(),
        )


def test_the_metadata_promises_what_the_proofs_check():
    document = metadata.issuer_metadata(AUDIENCE)
    configuration = document["credential_configurations_supported"][
        metadata.CONFIGURATION_ID
    ]
    assert configuration["format"] == "ldp_vc"
    assert configuration["cryptographic_binding_methods_supported"] == [
        "did:key",
        "did:jwk",
    ]
    assert configuration["credential_signing_alg_values_supported"] == [
        "eddsa-rdfc-2022"
    ]
    assert configuration["proof_types_supported"] == {
        "jwt": {"proof_signing_alg_values_supported": ["EdDSA", "ES256"]}
    }
    assert configuration["credential_definition"]["type"] == [
        "VerifiableCredential",
        "OpenBadgeCredential",
    ]
    assert document["nonce_endpoint"] == f"{AUDIENCE}/oid4vci/nonce"
    server = metadata.authorization_server_metadata(AUDIENCE)
    assert document["authorization_servers"] == [server["issuer"]]
    assert server["token_endpoint"] == f"{AUDIENCE}/oid4vci/token"
