"""The real identity providers (tests/idp/server.mjs: oidc-provider and samlify)
on loopback, started once for the session."""

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.test_browser import browser  # noqa: F401 (Chromium, for the browser tests)

IDP_DIR = Path(__file__).resolve().parents[2] / "idp"
CLIENT_SECRET = "cairn-test-secret"  # noqa: S105 (the test provider's own)


@dataclass
class LocalProviders:
    oidc_issuer: str
    oidc_discovery: str
    saml_entity_id: str
    saml_metadata: str
    admin: str

    def set_users(self, **people: dict) -> None:
        requests.post(f"{self.admin}/admin/users", json=people, timeout=5)

    def set_mode(self, *, saml: str | None = None, oidc: str | None = None) -> None:
        requests.post(
            f"{self.admin}/admin/mode", json={"saml": saml, "oidc": oidc}, timeout=5
        )


@pytest.fixture(scope="session")
def local_providers():
    if not (IDP_DIR / "node_modules" / "oidc-provider").exists():
        pytest.fail("run `make idp` to install the test identity providers")
    process = subprocess.Popen(  # noqa: S603
        ["node", str(IDP_DIR / "server.mjs")],  # noqa: S607
        cwd=IDP_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        where = json.loads(process.stdout.readline())
        yield LocalProviders(
            oidc_issuer=where["oidc"]["issuer"],
            oidc_discovery=where["oidc"]["discovery"],
            saml_entity_id=where["saml"]["entityId"],
            saml_metadata=where["saml"]["metadata"],
            admin=where["saml"]["admin"],
        )
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def providers(local_providers):
    local_providers.set_mode()
    yield local_providers
    local_providers.set_mode()
