"""What the W3C VC API asks of a request body before anything is signed or
checked, and the problem details its answers carry. Pure: no ORM.

The VC API's OpenAPI document (w3c-ccg/vc-api) gives `@context` and `type` as
arrays of strings, `issuer` as a string or an object with an `id`, and
`credentialSubject` as an object; the W3C's VC API issuer and verifier test
suites refuse anything else with 400. The VC Data Model's own rules
(credentials/vcmodel.py) come after these.
"""

from dataclasses import dataclass
from typing import Any

# VC Data Model 2.0, section 7.1 "Verification": the problem types a
# verifier reports, with their codes.
_SPEC = "https://www.w3.org/TR/vc-data-model#"
PARSING_ERROR = ("PARSING_ERROR", -64, "Parsing error")
CRYPTOGRAPHIC_SECURITY_ERROR = (
    "CRYPTOGRAPHIC_SECURITY_ERROR",
    -65,
    "Cryptographic security error",
)
MALFORMED_VALUE_ERROR = ("MALFORMED_VALUE_ERROR", -66, "Malformed value error")
RANGE_ERROR = ("RANGE_ERROR", -67, "Range error")

PRESENTATION_TYPE = "VerifiablePresentation"
CREDENTIAL_TYPE = "VerifiableCredential"


def problem(kind: tuple[str, int, str], detail: str) -> dict[str, Any]:
    """One problem detail (RFC 9457 shape, as VC Data Model 2.0 7.1 uses it)."""
    name, code, title = kind
    return {"type": f"{_SPEC}{name}", "code": code, "title": title, "detail": detail}


@dataclass
class VcApiError(Exception):
    """A request the VC API refuses; nothing was signed or changed."""

    status: int
    problems: list[dict[str, Any]]

    @property
    def message(self) -> str:
        return "; ".join(p["detail"] for p in self.problems)

    def __str__(self) -> str:
        return self.message


def malformed(*details: str) -> VcApiError:
    return VcApiError(400, [problem(MALFORMED_VALUE_ERROR, d) for d in details])


def _is_context_item(item: Any) -> bool:
    return (isinstance(item, str) and bool(item)) or (
        isinstance(item, dict) and bool(item)
    )


def _context_problems(document: dict[str, Any], what: str) -> list[str]:
    if "@context" not in document:
        return [f"The {what} must have an @context."]
    context = document["@context"]
    if not isinstance(context, list) or not context:
        return [f"The {what}'s @context must be an array."]
    if not all(_is_context_item(item) for item in context):
        return [
            f"Every item of the {what}'s @context must be a URL (or a context object)."
        ]
    return []


def _type_problems(document: dict[str, Any], what: str, required: str) -> list[str]:
    if "type" not in document:
        return [f"The {what} must have a type."]
    types = document["type"]
    if not isinstance(types, list) or not types:
        return [f"The {what}'s type must be an array of strings."]
    if not all(isinstance(item, str) and item for item in types):
        return [f"Every item of the {what}'s type must be a string."]
    if required not in types:
        return [f"The {what}'s type must include {required}."]
    return []


def _issuer_problems(credential: dict[str, Any], *, required: bool) -> list[str]:
    if "issuer" not in credential:
        return ["The credential must have an issuer."] if required else []
    issuer = credential["issuer"]
    if isinstance(issuer, str) and issuer:
        return []
    if isinstance(issuer, dict) and (not required or isinstance(issuer.get("id"), str)):
        return []
    return ["The credential's issuer must be a URL or an object with an id."]


def _subject_problems(credential: dict[str, Any]) -> list[str]:
    if "credentialSubject" not in credential:
        return ["The credential must have a credentialSubject."]
    subjects = credential["credentialSubject"]
    items = subjects if isinstance(subjects, list) else [subjects]
    if not items or not all(isinstance(item, dict) and item for item in items):
        return ["The credentialSubject must be an object (or an array of objects)."]
    return []


_PROOF_FIELDS = ("type", "verificationMethod", "proofPurpose", "proofValue")


def _proof_problems(document: dict[str, Any], what: str) -> list[str]:
    if "proof" not in document:
        return [f"The {what} carries no proof."]
    proof = document["proof"]
    items = proof if isinstance(proof, list) else [proof]
    if not items or not all(isinstance(item, dict) for item in items):
        return [f"The {what}'s proof must be an object (or an array of objects)."]
    for item in items:
        missing = [
            name for name in _PROOF_FIELDS if not isinstance(item.get(name), str)
        ]
        if missing:
            return [f"The {what}'s proof has no {', '.join(missing)}."]
    return []


def credential_problems(credential: Any, *, secured: bool) -> list[str]:
    """What is wrong with a credential's shape, in words (empty if nothing).

    `secured` is a credential to verify (it must carry an issuer and a proof);
    otherwise one to issue (no proof or status yet: Cairn adds them)."""
    if not isinstance(credential, dict):
        return ["The credential must be a JSON object."]
    found = [
        *_context_problems(credential, "credential"),
        *_type_problems(credential, "credential", CREDENTIAL_TYPE),
        *_issuer_problems(credential, required=secured),
        *_subject_problems(credential),
    ]
    if secured:
        found += _proof_problems(credential, "credential")
    else:
        if "proof" in credential:
            found.append("The credential already has a proof: send it unsigned.")
        if "credentialStatus" in credential:
            found.append(
                "Leave credentialStatus out: Cairn gives every credential it "
                "issues its own revocation and suspension entries."
            )
    return found


def presentation_problems(presentation: Any) -> list[str]:
    """What is wrong with a presentation's shape (its credentials apart)."""
    if not isinstance(presentation, dict):
        return ["The presentation must be a JSON object."]
    found = [
        *_context_problems(presentation, "presentation"),
        *_type_problems(presentation, "presentation", PRESENTATION_TYPE),
    ]
    if "proof" in presentation:
        found += _proof_problems(presentation, "presentation")
    credentials = presentation.get("verifiableCredential", [])
    items = credentials if isinstance(credentials, list) else [credentials]
    if not all(isinstance(item, dict) for item in items):
        found.append(
            "The presentation's verifiableCredential must be credentials as "
            "JSON objects."
        )
    return found


def presentation_credentials(presentation: dict[str, Any]) -> list[dict[str, Any]]:
    credentials = presentation.get("verifiableCredential", [])
    return credentials if isinstance(credentials, list) else [credentials]


def options_of(body: Any) -> dict[str, Any]:
    """The request's `options` object ({} if it has none)."""
    options = body.get("options") if isinstance(body, dict) else None
    if options is None:
        return {}
    if not isinstance(options, dict):
        raise malformed("options must be an object.")
    return options


def text_option(options: dict[str, Any], name: str) -> str | None:
    value = options.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise malformed(f"options.{name} must be a non-empty string.")
    return value
