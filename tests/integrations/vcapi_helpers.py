"""Helpers for the W3C VC API tests: the organization's endpoints, a valid
credential as the W3C suites send one, and a holder's signed presentation made
by Digital Bazaar's libraries (tests/verifier/wallet.mjs)."""

import copy
import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

WALLET = Path(__file__).resolve().parents[1] / "verifier" / "wallet.mjs"
V2 = "https://www.w3.org/ns/credentials/v2"

# The W3C examples context (https://www.w3.org/ns/credentials/examples/v2)
# written out: it only sets @vocab, which defines the example terms. Cairn
# fetches no context, so the suites' credential carries it inline.
EXAMPLES_CONTEXT = {"@vocab": "https://www.w3.org/ns/credentials/examples#"}

# As the VC Data Model 2.0 test suite's README sends it.
VALID_CREDENTIAL: dict[str, Any] = {
    "@context": [V2, EXAMPLES_CONTEXT],
    "id": "http://university.example/credentials/1872",
    "type": ["VerifiableCredential", "ExampleAlumniCredential"],
    "issuer": "https://university.example/issuers/565049",
    "validFrom": "2023-07-01T19:23:24Z",
    "credentialSubject": {
        "id": "did:example:ebfeb1f712ebc6f1c276e12ec21",
        "alumniOf": {
            "id": "did:example:c276e12ec21ebfeb1f712ebc6f1",
            "name": "Example University",
        },
    },
}


def valid_credential(**changes: Any) -> dict[str, Any]:
    credential = copy.deepcopy(VALID_CREDENTIAL)
    credential.update(changes)
    return credential


def base(organization) -> str:
    return f"/api/organizations/{organization.slug}/vc-api"


def post(api, organization, path: str, body: Any):
    return api.post(
        f"{base(organization)}/{path}",
        json.dumps(body),
        content_type="application/json",
    )


def issue(api, organization, credential: dict[str, Any] | None = None):
    return post(
        api,
        organization,
        "credentials/issue",
        {"credential": credential or valid_credential(), "options": {}},
    )


def sign_presentation(
    challenge: str,
    *,
    credentials: list[dict[str, Any]] | None = None,
    domain: str = "",
    seed: int = 7,
) -> dict[str, Any]:
    """A VC 2.0 presentation signed (eddsa-rdfc-2022, proofPurpose
    authentication) by the did:key of `seed`, holding `credentials`."""
    payload: dict[str, Any] = {
        "challenge": challenge,
        "suite": "eddsa-rdfc-2022",
        "seedHex": f"{seed:064x}",
        "domain": domain,
    }
    if credentials:
        payload["credentials"] = credentials
    with tempfile.NamedTemporaryFile(
        "w", suffix=".json", encoding="utf-8", delete=False
    ) as handle:
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
    return json.loads(completed.stdout)["presentation"]
