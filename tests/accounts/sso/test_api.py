import pytest

from accounts.models import AuditEntry, IdentityProvider
from tests import factories
from tests.accounts.sso.factories import make_oidc_provider

pytestmark = pytest.mark.django_db

NEW = {
    "name": "Entra ID",
    "slug": "north-entra",
    "protocol": "oidc",
    "discovery_url": "https://login.microsoftonline.com/tenant/v2.0",
    "client_id": "abc",
    "client_secret": "very-secret",
    "email_domains": ["North.edu"],
    "role_rules": [{"attribute": "groups", "value": "staff", "role": "faculty"}],
}


def _person(cast, role):
    if role == "site_admin":
        return factories.UserFactory(is_superuser=True)
    return cast[role]


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("admin", True),
        ("site_admin", True),
        ("designer", False),
        ("faculty", False),
        ("learner", False),
        ("stranger", False),
    ],
)
def test_only_admins_configure_providers_through_the_api(client, cast, role, allowed):
    client.force_login(_person(cast, role))
    base = f"/api/organizations/{cast.organization.slug}/identity-providers/"
    created = client.post(base, NEW, content_type="application/json")
    if not allowed:
        assert created.status_code == 403
        provider = make_oidc_provider(cast.organization)
        detail = f"{base}{provider.slug}/"
        assert client.get(base).status_code == 403
        assert (
            client.patch(
                detail, {"name": "x"}, content_type="application/json"
            ).status_code
            == 403
        )
        assert client.delete(detail).status_code == 403
        assert IdentityProvider.objects.get().name == "Northfield login"
        return
    assert created.status_code == 201, created.json()
    body = created.json()
    assert "client_secret" not in body
    assert body["has_client_secret"] is True
    assert body["email_domains"] == ["north.edu"]
    provider = IdentityProvider.objects.get(slug="north-entra")
    assert provider.open_client_secret() == "very-secret"
    detail = f"{base}north-entra/"
    changed = client.patch(
        detail, {"allows_local_passwords": False}, content_type="application/json"
    )
    assert changed.status_code == 200
    provider.refresh_from_db()
    assert not provider.allows_local_passwords
    assert provider.open_client_secret() == "very-secret"
    assert client.delete(detail).status_code == 204
    assert not IdentityProvider.objects.exists()
    assert AuditEntry.objects.filter(action__startswith="sso.provider_").count() == 3


def test_bad_input_is_refused_and_nothing_saved(client, cast):
    client.force_login(cast["admin"])
    base = f"/api/organizations/{cast.organization.slug}/identity-providers/"
    refused = client.post(
        base,
        {**NEW, "client_id": "", "role_rules": [{"attribute": "g", "value": "v"}]},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert "role_rules" in refused.json()
    refused = client.post(
        base, {**NEW, "client_id": "", "email_domains": ["@"]},
        content_type="application/json",
    )  # fmt: skip
    assert refused.status_code == 400
    assert "client_id" in refused.json()
    provider = make_oidc_provider(cast.organization)
    moved = client.patch(
        f"{base}{provider.slug}/", {"slug": "other"}, content_type="application/json"
    )
    assert moved.status_code == 400
    assert not IdentityProvider.objects.filter(slug="north-entra").exists()
