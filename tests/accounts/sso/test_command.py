import pytest
from django.core.management import CommandError, call_command

from accounts.models import AuditEntry, IdentityProvider

pytestmark = pytest.mark.django_db


def test_the_command_adds_changes_lists_and_removes(cast, monkeypatch, capsys):
    monkeypatch.setenv("NORTH_SECRET", "from-the-env")
    slug = cast.organization.slug
    call_command(
        "identity_provider", "set", slug, "north", "--protocol", "oidc",
        "--name", "North", "--discovery-url", "https://idp.north.edu",
        "--client-id", "cairn", "--client-secret-env", "NORTH_SECRET",
        "--domain", "north.edu", "--rule", "groups, staff, faculty",
        "--no-local-passwords",
    )  # fmt: skip
    provider = IdentityProvider.objects.get(slug="north")
    assert provider.open_client_secret() == "from-the-env"
    assert not provider.allows_local_passwords
    assert provider.role_rules.get().role == "faculty"
    call_command("identity_provider", "set", slug, "north", "--local-passwords")
    provider.refresh_from_db()
    assert provider.allows_local_passwords
    assert provider.open_client_secret() == "from-the-env"
    call_command("identity_provider", "list")
    assert "north.edu" in capsys.readouterr().out
    call_command("identity_provider", "remove", slug, "north")
    assert not IdentityProvider.objects.exists()
    assert AuditEntry.objects.filter(action__startswith="sso.provider_").count() == 3


def test_the_command_refuses_bad_input_and_saves_nothing(cast):
    with pytest.raises(CommandError, match="client_id"):
        call_command(
            "identity_provider", "set", cast.organization.slug, "north",
            "--protocol", "oidc", "--discovery-url", "https://idp.north.edu",
        )  # fmt: skip
    with pytest.raises(CommandError, match="Line 1"):
        call_command(
            "identity_provider", "set", cast.organization.slug, "north",
            "--protocol", "saml", "--rule", "groups, staff",
        )  # fmt: skip
    assert not IdentityProvider.objects.exists()


def test_rewrap_reseals_secrets_under_the_new_first_key(cast, settings):
    from tests.accounts.sso.factories import make_oidc_provider

    settings.CAIRN_KEY_ENCRYPTION_KEY = "old"
    provider = make_oidc_provider(cast.organization)
    settings.CAIRN_KEY_ENCRYPTION_KEY = "new,old"
    call_command("identity_provider", "rewrap")
    settings.CAIRN_KEY_ENCRYPTION_KEY = "new"
    provider.refresh_from_db()
    assert provider.open_client_secret() == "s3cret"
