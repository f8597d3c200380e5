"""1EdTech's JSON Schemas, checked by the verification page (files beside this).

OB 3.0 gives `credentialStatus` a cardinality of one and 1EdTech's schema types it
as one object, while W3C Bitstring Status List (section 2.1) carries revocation
and suspension as two entries in a list, which is what Cairn issues. So a list of
status entries is checked entry by entry against the schema's CredentialStatus
and the rest of the credential against the schema as published; nothing else is
relaxed.
"""

import copy
import functools
import json
from pathlib import Path
from typing import Any

from jsonschema import Draft201909Validator

HERE = Path(__file__).resolve().parent
ACHIEVEMENT_CREDENTIAL = "ob_v3p0_achievementcredential_schema.json"
# The VC Data Model 1.1 build, for credentials whose first context is VC 1.1.
ACHIEVEMENT_CREDENTIAL_VC1 = "ob_v3p0_achievementcredential_schema_vc1.1.json"
VC_V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"


@functools.cache
def _validator(name: str) -> Draft201909Validator:
    schema = json.loads((HERE / name).read_text(encoding="utf-8"))
    return Draft201909Validator(
        schema, format_checker=Draft201909Validator.FORMAT_CHECKER
    )


def _errors(validator: Draft201909Validator, document: Any, prefix: str) -> list[str]:
    return [
        f"{prefix}{'/'.join(str(p) for p in error.absolute_path) or '(root)'}: "
        f"{error.message}"
        for error in sorted(validator.iter_errors(document), key=str)
    ]


def achievement_credential_errors(credential: dict[str, Any]) -> list[str]:
    """What 1EdTech's AchievementCredential schema finds wrong, in plain lines."""
    context = credential.get("@context")
    first = context[0] if isinstance(context, list) and context else context
    validator = _validator(
        ACHIEVEMENT_CREDENTIAL_VC1 if first == VC_V1_CONTEXT else ACHIEVEMENT_CREDENTIAL
    )
    status = credential.get("credentialStatus")
    if not isinstance(status, list):
        return _errors(validator, credential, "")
    rest = copy.copy(credential)
    del rest["credentialStatus"]
    errors = _errors(validator, rest, "")
    if not status:
        errors.append("credentialStatus: an empty list")
    entry_schema = {
        **validator.schema["$defs"]["CredentialStatus"],
        "$defs": validator.schema["$defs"],
    }
    entry_validator = Draft201909Validator(
        entry_schema, format_checker=Draft201909Validator.FORMAT_CHECKER
    )
    for number, entry in enumerate(status):
        errors += _errors(entry_validator, entry, f"credentialStatus/{number}/")
    return errors
