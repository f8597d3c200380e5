"""An award to offer, and a wallet key made in Python for the refusal tests
(the end-to-end tests use tests/wallet/wallet.mjs, Sphereon's client)."""

import base64
import json
import warnings
from datetime import datetime

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from django.utils import timezone
from joserfc import jws
from joserfc.errors import SecurityWarning
from joserfc.jwk import ECKey, OKPKey

from credentials import dataintegrity
from credentials.models import Award
from integrations.oid4vci import proofs
from tests import builders


@pytest.fixture
def issued(cast, pathway, django_capture_on_commit_callbacks):
    """A module award, issued through the real path (grade → completion → award)."""
    with django_capture_on_commit_callbacks(execute=True):
        builders.submit_and_pass(pathway.tasks[0], cast["learner"], cast["faculty"])
    return Award.objects.get()


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class WalletKey:
    """A holder key: Ed25519 as a did:key, or P-256 as a did:jwk."""

    def __init__(self, kind: str = "ed25519", seed: int = 1) -> None:
        if kind == "ed25519":
            raw_seed = seed.to_bytes(32, "big")
            multibase = dataintegrity.public_key_multibase(raw_seed)
            self.did = f"did:key:{multibase}"
            self.kid = f"{self.did}#{multibase}"
            public = proofs.resolve_holder_key(self.kid)[1]
            self.key = OKPKey.import_key({**public, "d": _b64url(raw_seed)})
            self.alg = "EdDSA"
        else:
            private = ec.derive_private_key(seed, ec.SECP256R1())
            self.key = ECKey.import_key(private)
            public = {
                name: value
                for name, value in self.key.as_dict(private=False).items()
                if name in ("kty", "crv", "x", "y")
            }
            encoded = _b64url(json.dumps(public, separators=(",", ":")).encode())
            self.did = f"did:jwk:{encoded}"
            self.kid = f"{self.did}#0"
            self.alg = "ES256"

    def proof(
        self,
        *,
        audience: str,
        nonce: str | None,
        now: datetime | None = None,
        header: dict | None = None,
        claims: dict | None = None,
        signer: "WalletKey | None" = None,
    ) -> str:
        """A JWT proof as a wallet makes it; header and claims override."""
        now = now or timezone.now()
        payload = {"aud": audience, "iat": int(now.timestamp())}
        if nonce is not None:
            payload["nonce"] = nonce
        payload.update(claims or {})
        protected = {"typ": proofs.PROOF_TYPE, "alg": self.alg, "kid": self.kid}
        protected.update(header or {})
        protected = {k: v for k, v in protected.items() if v is not None}
        signing = signer or self
        with warnings.catch_warnings():
            # RFC 9864 deprecates "EdDSA", which wallets still send.
            warnings.simplefilter("ignore", SecurityWarning)
            return jws.serialize_compact(
                protected,
                json.dumps(payload).encode(),
                signing.key,
                algorithms=[protected.get("alg", signing.alg), signing.alg],
            )


@pytest.fixture
def wallet_key() -> WalletKey:
    return WalletKey()
