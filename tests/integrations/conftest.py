"""Tokens for the cast: a person's own and a service account's, as the pages
make them (through the services)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from integrations.models import Scope
from integrations.tokens import services

ALL_SCOPES = tuple(Scope.values)


def in_days(days: int):
    return timezone.now() + timedelta(days=days)


def personal_token(user, *scopes: str, name: str = "script") -> str:
    _, raw = services.create_personal_token(
        user, name=name, scopes=scopes or ALL_SCOPES, expires_at=in_days(30)
    )
    return raw


def service_token(account, by, *scopes: str, name: str = "nightly") -> str:
    _, raw = services.create_service_token(
        account, by=by, name=name, scopes=scopes or ALL_SCOPES, expires_at=in_days(30)
    )
    return raw


def bearer(raw: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return api


@pytest.fixture
def service_account(cast):
    """The organization's records system: an admin and faculty member there."""
    return services.create_service_account(
        cast.organization,
        by=cast["admin"],
        name="Records system",
        roles=["admin", "faculty", "designer"],
    )
