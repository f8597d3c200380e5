"""Runs the independent JavaScript verifier (tests/verifier/verify.mjs) under Node."""

import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

VERIFIER = Path(__file__).resolve().parents[1] / "verifier" / "verify.mjs"


def verify_with_node(
    credential: dict[str, Any], did_documents: dict[str, Any] | None = None
) -> dict[str, Any]:
    """{"verified": bool, "errors": [...]} from Digital Bazaar's vc library."""
    payload = {"credential": credential, "didDocuments": did_documents or {}}
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
