"""Runs the independent JavaScript verifier (tests/verifier/verify.mjs) under Node."""

import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

VERIFIER = Path(__file__).resolve().parents[1] / "verifier" / "verify.mjs"


def verify_with_node(
    credential: dict[str, Any],
    did_documents: dict[str, Any] | None = None,
    status_lists: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """{"verified": bool, "errors": [...], "status": {purpose: bit}} from
    Digital Bazaar's vc and vc-bitstring-status-list libraries."""
    if status_lists is None:
        status_lists = served_status_lists(credential)
    payload = {
        "credential": credential,
        "didDocuments": did_documents or {},
        "statusLists": status_lists,
    }
    with tempfile.NamedTemporaryFile(
        "w", suffix=".json", encoding="utf-8", delete=False
    ) as handle:
        json.dump(payload, handle, ensure_ascii=False)
        path = Path(handle.name)
    try:
        completed = subprocess.run(
            ["node", str(VERIFIER), str(path)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        path.unlink()
    if completed.returncode not in (0, 1):
        raise RuntimeError(
            f"verify.mjs failed ({completed.returncode}): "
            f"{completed.stdout}{completed.stderr}"
        )
    result = json.loads(completed.stdout)
    if result["verified"] != (completed.returncode == 0):
        raise RuntimeError(f"verify.mjs exit code disagrees with {result}")
    return result


def served_status_lists(credential: dict[str, Any]) -> dict[str, Any]:
    """The status list credentials this site serves for a credential, fetched
    through its own URLs (a verifier would fetch them over HTTP)."""
    from django.conf import settings
    from django.test import Client

    status = credential.get("credentialStatus") or []
    lists = {}
    for entry in status if isinstance(status, list) else [status]:
        url = entry.get("statusListCredential", "")
        if url.startswith(settings.SITE_URL):
            response = Client().get(url.removeprefix(settings.SITE_URL))
            if response.status_code == 200:
                lists[url] = response.json()
    return lists


def _run_node(script: str, payload: dict[str, Any]) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(
        "w", suffix=".json", encoding="utf-8", delete=False
    ) as handle:
        json.dump(payload, handle, ensure_ascii=False)
        path = Path(handle.name)
    try:
        completed = subprocess.run(
            ["node", str(VERIFIER.parent / script), str(path)],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
    finally:
        path.unlink()
    return json.loads(completed.stdout)


def canonize_with_node(documents: list[dict[str, Any]]) -> list[dict[str, str]]:
    """[{"nquads": ...} or {"error": ...}] per document, as the eddsa-rdfc-2022
    reference canonicalizes (jsonld.js, rdfDirection "i18n-datatype", RDFC-1.0)."""
    return _run_node("canonize.mjs", {"documents": documents})["results"]


def sign_with_node(
    credential: dict[str, Any], *, seed: bytes, created: str
) -> dict[str, Any]:
    """The credential signed by Digital Bazaar's vc.issue (eddsa-rdfc-2022) with
    the did:key of `seed`."""
    payload = {
        "credential": credential,
        "seedHex": seed.hex(),
        "created": created,
        "seconds": 0,
    }
    return _run_node("sign.mjs", payload)["signed"]
