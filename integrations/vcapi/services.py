"""The W3C VC API for an organization: issue a credential other systems send,
change its status, and check credentials and presentations
(docs/decisions/0018-vc-api.md).

Signing is Cairn's one signer (credentials.services.keys.sign_credential),
status entries come from the same Bitstring Status Lists as awards
(credentials.services.status), and checking is the same verifier as every
other check (credentials.services.verify_credential, credentials.didauth).
"""

import copy
import uuid
from datetime import UTC
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from pyld.jsonld import JsonLdError

from accounts.audit import log_action
from accounts.models import Organization
from credentials import jsonld, openbadges, vcmodel
from credentials.services import keys, status
from integrations.models import IssuedCredential
from integrations.vcapi import shapes
from integrations.vcapi.shapes import VcApiError, malformed

# What `…/credentials/status` may set, as the DCC status service names them
# ("unsuspended" lifts a suspension; a revocation is final).
REVOKED, SUSPENDED, UNSUSPENDED = "revoked", "suspended", "unsuspended"
STATUSES = (REVOKED, SUSPENDED, UNSUSPENDED)


def _stamp(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _prepared(credential: dict[str, Any], *, did: str, record_uuid, now) -> dict:
    """The caller's credential as Cairn signs it: its issuer is the
    organization (an issuer object keeps its name and other properties), it has
    an id and a start date if it had none."""
    prepared = copy.deepcopy(credential)
    issuer = prepared.get("issuer")
    prepared["issuer"] = {**issuer, "id": did} if isinstance(issuer, dict) else did
    prepared.setdefault("id", f"urn:uuid:{record_uuid}")
    if vcmodel.version(prepared) == "1.1":
        prepared.setdefault("issuanceDate", _stamp(now))
        if openbadges.STATUS_V1_CONTEXT not in prepared["@context"]:
            # VC 1.1 does not define BitstringStatusListEntry; this context does.
            prepared["@context"] = [*prepared["@context"], openbadges.STATUS_V1_CONTEXT]
    else:
        prepared.setdefault("validFrom", _stamp(now))
    return prepared


def _unsignable(error: Exception) -> VcApiError:
    if isinstance(error, vcmodel.DataModelError):
        return malformed(*(str(v) for v in error.violations))
    if isinstance(error, jsonld.ContextNotVendoredError):
        return VcApiError(
            400,
            [
                shapes.problem(
                    shapes.PARSING_ERROR,
                    f"It uses the JSON-LD context {error.url}, which is not "
                    "available here; Cairn never fetches contexts.",
                )
            ],
        )
    if isinstance(error, jsonld.UndefinedTermsError):
        return VcApiError(
            400,
            [
                shapes.problem(
                    shapes.PARSING_ERROR,
                    "Its contexts do not define every term it uses: "
                    + "; ".join(error.problems[:5]),
                )
            ],
        )
    return VcApiError(400, [shapes.problem(shapes.PARSING_ERROR, str(error))])


@transaction.atomic
def issue_credential(organization: Organization, body: Any, *, by) -> IssuedCredential:
    """Sign the request's credential as the organization, with a revocation and
    a suspension entry, and keep it so that its status can be changed. The
    request's options ask for nothing Cairn does differently: an object is
    accepted, anything else refused.

    Raises VcApiError (400) for a request, or a credential, the VC API or the VC
    data model refuses; then nothing is kept and no status entry is used up."""
    if not isinstance(body, dict) or "credential" not in body:
        raise malformed("Send {credential, options}.")
    shapes.options_of(body)
    credential = body["credential"]
    problems = shapes.credential_problems(credential, secured=False)
    if problems:
        raise malformed(*problems)
    key = keys.get_signing_key(organization)
    did = keys.issuer_did(key)
    now = timezone.now()
    record_uuid = uuid.uuid4()
    prepared = _prepared(credential, did=did, record_uuid=record_uuid, now=now)
    credential_id = prepared["id"]
    if not isinstance(credential_id, str) or len(credential_id) > 2000:
        raise malformed("The credential's id must be a single URL.")
    if IssuedCredential.objects.filter(
        organization=organization, credential_id=credential_id
    ).exists():
        raise malformed(
            f"A credential with the id {credential_id} was already issued here; "
            "give each credential its own id (or none, and Cairn makes one)."
        )
    entries = status.assign_status_entries(
        organization, issuer_did=did, suspension=True
    )
    try:
        stored = keys.sign_for_storage(
            key, prepared, did=did, entries=entries, created=now
        )
    except (ValueError, jsonld.ContextNotVendoredError, JsonLdError) as error:
        # Raised inside the transaction: the status entries are given back.
        raise _unsignable(error) from error
    try:
        record = IssuedCredential.objects.create(
            uuid=record_uuid,
            organization=organization,
            credential_id=credential_id,
            **stored,
        )
    except IntegrityError as error:
        # The same id sent twice at once: the other request kept it.
        raise malformed(
            f"A credential with the id {credential_id} was already issued here."
        ) from error
    log_action(
        by,
        "vc_api.issued",
        record,
        organization=organization,
        credential=credential_id,
    )
    return record


def _wanted_status(body: Any) -> tuple[str, str]:
    """(credentialId, status) from an update request: {"credentialId": …,
    "credentialStatus": [{"type": "BitstringStatusListCredential",
    "status": "revoked"}]}."""
    if not isinstance(body, dict):
        raise malformed("Send a JSON object.")
    credential_id = body.get("credentialId")
    if not isinstance(credential_id, str) or not credential_id:
        raise malformed("credentialId must name the credential.")
    wanted = body.get("credentialStatus")
    if isinstance(wanted, dict):
        wanted = [wanted]
    if not isinstance(wanted, list) or len(wanted) != 1:
        raise malformed("credentialStatus must be one status to set.")
    item = wanted[0]
    if not isinstance(item, dict) or item.get("status") not in STATUSES:
        raise malformed(
            "credentialStatus's status must be one of " + ", ".join(STATUSES) + "."
        )
    kind = item.get("type", "BitstringStatusListCredential")
    if kind not in ("BitstringStatusListCredential", "BitstringStatusList"):
        raise malformed("Cairn's status lists are Bitstring Status Lists.")
    return credential_id, item["status"]


@transaction.atomic
def update_status(organization: Organization, body: Any, *, by) -> IssuedCredential:
    """Revoke, suspend or lift the suspension of a credential the organization
    issued through the VC API: its bit is set in the signed status list.

    Raises VcApiError: 404 for a credential it did not issue here, 400 for an
    impossible change (a revocation is final)."""
    credential_id, wanted = _wanted_status(body)
    # The signing key first, then the record, then the list: the order every
    # status change and issue takes (credentials.services.status).
    keys.get_signing_key(organization)
    record = (
        IssuedCredential.objects.select_for_update()
        .filter(organization=organization, credential_id=credential_id)
        .first()
    )
    if record is None:
        raise VcApiError(
            404,
            [
                shapes.problem(
                    shapes.MALFORMED_VALUE_ERROR,
                    f"No credential with the id {credential_id} was issued "
                    "through this organization's VC API.",
                )
            ],
        )
    if record.is_revoked:
        raise malformed("This credential is revoked, which is final.")
    now = timezone.now()
    if wanted == REVOKED:
        record.revoked_at = now
        status.set_status_bit(record.revocation_list_id, record.revocation_index, True)
    elif wanted == SUSPENDED:
        if record.is_suspended:
            raise malformed("This credential is already suspended.")
        record.suspended_at = now
        status.set_status_bit(record.suspension_list_id, record.suspension_index, True)
    else:
        if not record.is_suspended:
            raise malformed("This credential is not suspended.")
        record.suspended_at = None
        status.set_status_bit(record.suspension_list_id, record.suspension_index, False)
    record.save(update_fields=["revoked_at", "suspended_at"])
    log_action(
        by,
        f"vc_api.{wanted}",
        record,
        organization=organization,
        credential=credential_id,
    )
    return record


def status_of(record: IssuedCredential) -> dict[str, Any]:
    return {
        "credentialId": record.credential_id,
        "revoked": record.is_revoked,
        "suspended": record.is_suspended,
    }
