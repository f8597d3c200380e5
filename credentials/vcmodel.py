"""The W3C Verifiable Credentials Data Model's MUSTs, as plain rules on JSON.

Pure, no ORM: the signer refuses a credential that breaks one and the verifier
reports it, each naming the rule (the section of VC Data Model 2.0,
https://www.w3.org/TR/vc-data-model-2.0/, or of 1.1 for a 1.1 credential).
JSON-LD accepts far more than the data model does (a null issuer expands to
nothing and is signed as such), so these checks come before any signature.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"

# VC 2.0 section 4.9: dateTimeStamp, the regular expression the spec gives
# (an XML Schema dateTime that must have a time zone).
_DATE_TIME_STAMP = re.compile(
    r"^-?([1-9][0-9]{3,}|0[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"T(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?|(24:00:00(\.0+)?))"
    r"(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))$"
)
# VC 1.1 section 4.6: an XML Schema dateTime, whose time zone is optional.
_DATE_TIME = re.compile(
    r"^-?([1-9][0-9]{3,}|0[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"T(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?|(24:00:00(\.0+)?))"
    r"(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))?$"
)
# RFC 3986 scheme followed by something: what the data model calls a URL.
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S+$")
# Properties whose every value must say its `type` (VC 2.0 sections 4.10, 4.11,
# 5.4, 5.5 and 5.6), with the section's name.
_TYPED = {
    "credentialStatus": "4.10 Status",
    "credentialSchema": "4.11 Data Schemas",
    "refreshService": "5.4 Refreshing",
    "termsOfUse": "5.5 Terms of Use",
    "evidence": "5.6 Evidence",
}


@dataclass(frozen=True)
class Violation:
    rule: str  # the section of the data model, e.g. "VC 2.0 4.7 Issuer"
    says: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.says}"


class DataModelError(ValueError):
    """A credential breaks the VC data model; the message names each rule."""

    def __init__(self, violations: list[Violation]) -> None:
        super().__init__(
            "the credential breaks the W3C VC Data Model: "
            + "; ".join(str(violation) for violation in violations)
        )
        self.violations = tuple(violations)


def version(credential: dict[str, Any]) -> str:
    """ "2.0" or "1.1", from the first @context; "" if it names neither."""
    context = credential.get("@context")
    first = context[0] if isinstance(context, list) and context else context
    return {V2_CONTEXT: "2.0", V1_CONTEXT: "1.1"}.get(first, "")


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def types_of(value: Any) -> list[Any]:
    return _items(value) if value is not None else []


def _is_url(value: Any) -> bool:
    return isinstance(value, str) and bool(_URL.match(value))


def _moment(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None  # 24:00:00 and years past 9999 are valid but not comparable


def _date_problems(credential: dict[str, Any], rule: str, names, pattern, what):
    found = {}
    for name in names:
        if name not in credential:
            continue
        value = credential[name]
        if not isinstance(value, str) or not pattern.match(value):
            yield Violation(rule, f"{name} must be {what}, not {value!r}")
        else:
            found[name] = _moment(value)
    start, end = (found.get(name) for name in names)
    if start and end and start.tzinfo and end.tzinfo and start > end:
        yield Violation(rule, f"{names[0]} must not be later than {names[1]}")


def violations(credential: Any) -> list[Violation]:
    """Every rule of the data model the credential breaks (empty if none)."""
    if not isinstance(credential, dict):
        return [Violation("VC 2.0 4.1 Getting Started", "a credential is an object")]
    model = version(credential)
    prefix = f"VC {model or '2.0'}"
    found: list[Violation] = []
    if not model:
        found.append(
            Violation(
                f"{prefix} 4.3 Contexts",
                f"the first @context must be {V2_CONTEXT} (or {V1_CONTEXT})",
            )
        )
    if "VerifiableCredential" not in types_of(credential.get("type")):
        found.append(
            Violation(f"{prefix} 4.5 Types", "type must include VerifiableCredential")
        )
    if "id" in credential and not _is_url(credential["id"]):
        found.append(Violation(f"{prefix} 4.4 Identifiers", "id must be a single URL"))
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if not _is_url(issuer_id):
        found.append(
            Violation(
                f"{prefix} 4.7 Issuer",
                "issuer must be a URL or an object whose id is a URL"
                + (", not null" if "issuer" in credential else "; it is missing"),
            )
        )
    subjects = credential.get("credentialSubject")
    if not subjects or not all(
        isinstance(subject, dict) and subject for subject in _items(subjects)
    ):
        found.append(
            Violation(
                f"{prefix} 4.8 Credential Subject",
                "credentialSubject must be one or more non-empty objects",
            )
        )
    for name, section in _TYPED.items():
        if name not in credential:
            continue
        for item in _items(credential[name]):
            if not isinstance(item, dict) or not types_of(item.get("type")):
                found.append(
                    Violation(f"{prefix} {section}", f"every {name} must have a type")
                )
                break
            if "id" in item and not _is_url(item["id"]):
                found.append(
                    Violation(f"{prefix} {section}", f"a {name} id must be a URL")
                )
                break
    for item in _items(credential.get("credentialSchema", [])):
        if isinstance(item, dict) and not _is_url(item.get("id")):
            found.append(
                Violation(
                    f"{prefix} 4.11 Data Schemas", "every credentialSchema needs an id"
                )
            )
            break
    if model == "1.1":
        if "issuanceDate" not in credential:
            found.append(
                Violation("VC 1.1 4.6 Issuance Date", "issuanceDate is required")
            )
        found.extend(
            _date_problems(
                credential,
                "VC 1.1 4.6 Issuance Date",
                ("issuanceDate", "expirationDate"),
                _DATE_TIME,
                "an XML Schema dateTime",
            )
        )
    else:
        found.extend(
            _date_problems(
                credential,
                f"{prefix} 4.9 Validity Period",
                ("validFrom", "validUntil"),
                _DATE_TIME_STAMP,
                "an XML Schema dateTimeStamp (a date, a time and a time zone)",
            )
        )
    return found


def check(credential: Any) -> None:
    """Raise DataModelError naming every rule the credential breaks."""
    if found := violations(credential):
        raise DataModelError(found)
