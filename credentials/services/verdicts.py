"""What a verification finds, in words: the shared shape of every verdict."""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.utils import formats

from credentials.models import Award


@dataclass(frozen=True)
class Check:
    # "signature", "issuer", "status", "dates" or "schema" (the schema check
    # also reports the VC data model rules it breaks, credentials/vcmodel.py)
    name: str
    passed: bool
    says: str


@dataclass(frozen=True)
class Verification:
    # "valid", "revoked", "suspended", "tampered", "expired", "not-yet-valid",
    # "unknown-issuer", "not-checked", "unprocessable" (a JSON-LD context it
    # uses is not available here: never "tampered") or "invalid"
    status: str
    headline: str
    checks: tuple[Check, ...]
    award: Award | None = None
    # Whose key signed it, as far as this site can tell: "own" (an issuer here),
    # "did:key", "pinned" (a document in CAIRN_ISSUER_DOCUMENTS), "jwk" (the key
    # a JWT carries in its own header) or "" (none found or none checkable).
    signer: str = ""
    # Whether the key that signed it belongs to the issuer it names.
    issuer_bound: bool = False
    # What became of the proof alone: "verified", "failed" (altered, or a key its
    # issuer does not list), "unchecked" (unsupported, or the key cannot be
    # looked up here) or "none" (no proof).
    proof: str = "none"

    @property
    def is_valid(self) -> bool:
        return self.status == "valid"


def on_day(moment: datetime) -> str:
    """A credential's date in the one date format people read (in UTC, as the
    credential states it)."""
    return formats.date_format(moment.astimezone(UTC), "DATE_FORMAT")
