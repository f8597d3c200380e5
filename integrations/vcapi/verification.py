"""`…/credentials/verify` and `…/presentations/verify`: Cairn's one verifier
(credentials.services.verify_credential, credentials.didauth) answering in the
VC API's words.

The answer is 200 only when everything verifies; anything else is 400 with
`verified: false`, the checks that failed and their problem details (VC Data
Model 2.0, 7.1), which is what the W3C's VC API verifier and EdDSA test suites
expect of a credential that is malformed, altered or not valid."""

from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from credentials import didauth
from credentials import services as credentials
from credentials.services import Verification
from integrations.vcapi import shapes
from integrations.vcapi.shapes import VcApiError, malformed

# Cairn's check names, as the VC API's `checks` name them.
_CHECK_NAMES = {
    "signature": "proof",
    "issuer": "issuer",
    "status": "credentialStatus",
    "dates": "validity",
    "schema": "dataModel",
}
# Which problem type a verdict is (VC Data Model 2.0, 7.1).
_PROBLEM_OF = {
    "tampered": shapes.CRYPTOGRAPHIC_SECURITY_ERROR,
    "unknown-issuer": shapes.CRYPTOGRAPHIC_SECURITY_ERROR,
    "not-checked": shapes.CRYPTOGRAPHIC_SECURITY_ERROR,
    "unprocessable": shapes.PARSING_ERROR,
    "invalid": shapes.MALFORMED_VALUE_ERROR,
    "revoked": shapes.RANGE_ERROR,
    "suspended": shapes.RANGE_ERROR,
    "expired": shapes.RANGE_ERROR,
    "not-yet-valid": shapes.RANGE_ERROR,
}


@dataclass
class Result:
    verified: bool
    body: dict[str, Any] = field(default_factory=dict)

    @property
    def http_status(self) -> int:
        return 200 if self.verified else 400


def _self_certified(found: Verification) -> bool:
    """Genuine, bound to its issuer's own did:key, and passing every other
    check: only that the issuer is not one of this site's is left. The VC API
    verifies that; whether to trust the issuer is the caller's (a registry's)
    question, so it is a warning here (docs/decisions/0018-vc-api.md)."""
    return (
        found.status == "unknown-issuer"
        and found.proof == "verified"
        and found.issuer_bound
        and found.signer == "did:key"
        and all(c.passed for c in found.checks if c.name != "issuer")
    )


def _credential_result(found: Verification) -> dict[str, Any]:
    passed = [_CHECK_NAMES[c.name] for c in found.checks if c.passed]
    failed = [c for c in found.checks if not c.passed]
    problems = []
    warnings = []
    verified = found.is_valid
    if _self_certified(found):
        verified = True
        warnings = [c.says for c in failed]
        failed = []
    elif not verified:
        kind = _PROBLEM_OF.get(found.status, shapes.MALFORMED_VALUE_ERROR)
        problems.append(shapes.problem(kind, found.headline))
        problems += [shapes.problem(kind, check.says) for check in failed]
    return {
        "verified": verified,
        "status": found.status,
        "headline": found.headline,
        "checks": passed,
        "warnings": warnings,
        "errors": [_CHECK_NAMES[c.name] for c in failed],
        "problemDetails": problems,
        "results": [
            {"check": _CHECK_NAMES[c.name], "passed": c.passed, "says": c.says}
            for c in found.checks
        ],
    }


def _checked(credential: Any) -> dict[str, Any]:
    problems = shapes.credential_problems(credential, secured=True)
    if problems:
        raise malformed(*problems)
    return _credential_result(credentials.verify_credential(credential))


def _option_problems(credential: dict[str, Any], options: dict[str, Any]) -> list:
    """What the proofs fail of the options' expectations (vc-data-integrity
    4.3 Verify Proof: expectedProofPurpose, domain, challenge)."""
    proofs = credential["proof"]
    proofs = proofs if isinstance(proofs, list) else [proofs]
    wanted = {
        "proofPurpose": shapes.text_option(options, "expectedProofPurpose"),
        "domain": shapes.text_option(options, "domain"),
        "challenge": shapes.text_option(options, "challenge"),
    }
    return [
        shapes.problem(
            shapes.CRYPTOGRAPHIC_SECURITY_ERROR,
            f"Its proof's {name} is not {value!r}, which the options expect.",
        )
        for name, value in wanted.items()
        if value is not None and not any(p.get(name) == value for p in proofs)
    ]


def verify_credential(body: Any) -> Result:
    """Check `verifiableCredential` of a VC API verify request, and its proof
    against what the options expect.

    Raises VcApiError (400) for a request or credential of the wrong shape."""
    if not isinstance(body, dict) or "verifiableCredential" not in body:
        raise malformed("Send {verifiableCredential, options}.")
    options = shapes.options_of(body)
    result = _checked(body["verifiableCredential"])
    unmet = _option_problems(body["verifiableCredential"], options)
    if unmet:
        result = {
            **result,
            "verified": False,
            "checks": [c for c in result["checks"] if c != "proof"],
            "errors": ["proof", *result["errors"]],
            "problemDetails": [*unmet, *result["problemDetails"]],
        }
    return Result(result["verified"], result)


def _presentation_proof(
    presentation: dict[str, Any], options: dict[str, Any]
) -> dict[str, Any]:
    """The presentation's authentication proof checked against the options'
    challenge (and domain): DID Authentication, as credentials.didauth checks
    it for wallets."""
    challenge = shapes.text_option(options, "challenge")
    domain = shapes.text_option(options, "domain")
    if challenge is None:
        raise malformed(
            "options.challenge is required to verify a signed presentation: "
            "without it the presentation could be a replay."
        )
    proofs = (
        [p for p in presentation["proof"] if isinstance(p, dict)]
        if isinstance(presentation["proof"], list)
        else [presentation["proof"]]
    )
    if domain is not None and not any(p.get("domain") == domain for p in proofs):
        return _proof_failed(
            f"The presentation's proof was not made for the domain {domain}."
        )
    named = {p.get("domain") for p in proofs if isinstance(p.get("domain"), str)}
    try:
        found = didauth.verify_presentation(
            presentation,
            challenge=challenge,
            domains={domain} if domain is not None else named,
            now=timezone.now(),
        )
    except didauth.DidAuthError as error:
        return _proof_failed(error.message)
    return {
        "verified": True,
        "holder": found.holder,
        "checks": ["proof"],
        "errors": [],
        "problemDetails": [],
    }


def _proof_failed(says: str) -> dict[str, Any]:
    return {
        "verified": False,
        "checks": [],
        "errors": ["proof"],
        "problemDetails": [shapes.problem(shapes.CRYPTOGRAPHIC_SECURITY_ERROR, says)],
    }


def verify_presentation(body: Any) -> Result:
    """Check `verifiablePresentation`: its proof if it has one (purpose
    authentication, with the options' challenge and domain) and every
    credential in it. An unsigned presentation is checked for its credentials
    only, and says so in `warnings`."""
    if not isinstance(body, dict) or "verifiablePresentation" not in body:
        raise malformed("Send {verifiablePresentation, options}.")
    options = shapes.options_of(body)
    presentation = body["verifiablePresentation"]
    problems = shapes.presentation_problems(presentation)
    if problems:
        raise malformed(*problems)
    warnings = []
    if "proof" in presentation:
        presentation_result = _presentation_proof(presentation, options)
    else:
        presentation_result = {
            "verified": True,
            "checks": [],
            "errors": [],
            "problemDetails": [],
        }
        warnings.append("The presentation is not signed: no holder is proven.")
    try:
        credential_results = [
            _checked(credential)
            for credential in shapes.presentation_credentials(presentation)
        ]
    except VcApiError as error:
        raise VcApiError(
            400,
            [
                shapes.problem(
                    shapes.MALFORMED_VALUE_ERROR, f"A credential in it: {p['detail']}"
                )
                for p in error.problems
            ],
        ) from error
    verified = presentation_result["verified"] and all(
        r["verified"] for r in credential_results
    )
    problems = list(presentation_result["problemDetails"])
    for number, result in enumerate(credential_results, start=1):
        problems += [
            {**p, "detail": f"Credential {number}: {p['detail']}"}
            for p in result["problemDetails"]
        ]
    return Result(
        verified,
        {
            "verified": verified,
            "checks": presentation_result["checks"],
            "warnings": warnings,
            "errors": presentation_result["errors"],
            "problemDetails": problems,
            "presentationResult": presentation_result,
            "credentialResults": credential_results,
        },
    )
