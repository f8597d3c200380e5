"""An HTTPS deployment passes Django's deployment checks with no warning."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _check_deploy(**env: str) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DEBUG", "DATABASE_URL", "SITE_URL", "CAIRN_"))
    }
    environment.update(
        SECRET_KEY=secrets.token_urlsafe(60),
        CAIRN_KEY_ENCRYPTION_KEY=secrets.token_urlsafe(32),
        DATABASE_URL="sqlite:///:memory:",
        ALLOWED_HOSTS="cairn.example.edu",
        **env,
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.heavy(20)
@pytest.mark.parametrize("proxy", ["", "1"])
def test_an_https_site_passes_the_deployment_checks(proxy):
    result = _check_deploy(SITE_URL="https://cairn.example.edu", CAIRN_TLS_PROXY=proxy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.heavy(20)
def test_a_plain_http_site_is_warned_about():
    result = _check_deploy(SITE_URL="http://cairn.example.edu")
    assert result.returncode != 0
    assert "SECURE_SSL_REDIRECT" in result.stdout + result.stderr
