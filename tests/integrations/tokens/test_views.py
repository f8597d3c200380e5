"""The pages: a person's own tokens, an organization admin's service accounts."""

import re

import pytest
from django.urls import reverse

from accounts.models import AuditEntry
from integrations.models import ApiToken, ServiceAccount
from integrations.tokens import selectors, services
from tests.integrations.conftest import in_days, personal_token, service_token

SECRET = re.compile(r'id="new-secret">(cairn_[ps]at_[^<]+)<')


def test_a_new_token_is_shown_once_and_works(client, cast):
    client.force_login(cast["designer"])
    url = reverse("integrations:tokens")
    assert "No tokens yet." in client.get(url).text
    made = client.post(
        url, {"name": "CI", "scopes": ["read", "admin"], "expires_on": "2099-01-01"}
    )
    # The maximum lifetime holds on the page too.
    assert made.status_code == 400
    assert "at most 366 days" in made.text
    made = client.post(
        url,
        {
            "name": "CI",
            "scopes": ["read", "admin"],
            "expires_on": in_days(30).date().isoformat(),
        },
    )
    assert made.status_code == 200
    assert made["Cache-Control"] == "no-store"
    raw = SECRET.search(made.text).group(1)
    assert selectors.usable_token(raw).name == "CI"
    again = client.get(url).text
    assert raw not in again
    assert f"{raw[:18]}…" in again  # the visible prefix identifies it
    assert "Never" in again  # not used yet


def test_revoking_asks_first(client, cast):
    raw = personal_token(cast["designer"], "read", name="old script")
    token = selectors.usable_token(raw)
    client.force_login(cast["designer"])
    url = reverse("integrations:token-revoke", args=[token.pk])
    page = client.get(url)
    assert "Revoke the token “old script”?" in page.text
    assert selectors.usable_token(raw) is not None
    response = client.post(url)
    assert response.status_code == 302
    assert selectors.usable_token(raw) is None
    assert AuditEntry.objects.filter(action="token.revoked").exists()


def test_nobody_revokes_someone_else_s_token(client, cast):
    token = selectors.usable_token(personal_token(cast["designer"], "read"))
    client.force_login(cast["admin"])
    url = reverse("integrations:token-revoke", args=[token.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert not ApiToken.objects.get(pk=token.pk).is_revoked


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("designer", 403), ("faculty", 403), ("learner", 403)],
)
def test_only_admins_see_service_accounts(client, cast, role, status):
    client.force_login(cast[role])
    url = reverse("integrations:service-accounts", args=[cast.organization.slug])
    assert client.get(url).status_code == status


def test_an_admin_makes_a_service_account_and_issues_it_a_token(client, cast):
    client.force_login(cast["admin"])
    url = reverse("integrations:service-accounts", args=[cast.organization.slug])
    refused = client.post(url, {"name": "Records"})
    assert refused.status_code == 400
    assert "This field is required." in refused.text
    assert not ServiceAccount.objects.exists()
    made = client.post(url, {"name": "Records", "roles": ["faculty"]}, follow=True)
    assert "The service account “Records” is made" in made.text
    account = ServiceAccount.objects.get()
    issue = reverse(
        "integrations:service-token-create",
        args=[cast.organization.slug, account.pk],
    )
    prefix = f"account-{account.pk}"
    answer = client.post(
        issue,
        {
            f"{prefix}-name": "nightly",
            f"{prefix}-scopes": ["grade"],
            f"{prefix}-expires_on": in_days(10).date().isoformat(),
        },
    )
    raw = SECRET.search(answer.text).group(1)
    assert raw.startswith("cairn_sat_")
    token = selectors.usable_token(raw)
    assert token.user == account.user
    assert token.service_account == account
    assert raw not in client.get(url).text


def test_an_admin_revokes_a_service_token_and_deactivates_the_account(
    client, cast, service_account
):
    raw = service_token(service_account, cast["admin"], "read")
    token = selectors.usable_token(raw)
    slug = cast.organization.slug
    client.force_login(cast["admin"])
    revoke = reverse(
        "integrations:service-token-revoke", args=[slug, service_account.pk, token.pk]
    )
    assert "Revoke the token" in client.get(revoke).text
    client.post(revoke)
    assert selectors.usable_token(raw) is None
    deactivate = reverse(
        "integrations:service-account-deactivate", args=[slug, service_account.pk]
    )
    assert "Deactivate the service account" in client.get(deactivate).text
    client.post(deactivate)
    service_account.refresh_from_db()
    assert not service_account.is_active


def test_another_organization_s_admin_cannot_touch_a_service_account(
    client, cast, service_account
):
    from curriculum import services as curriculum

    curriculum.add_member(cast.other_organization, cast["stranger"], role="admin")
    client.force_login(cast["stranger"])
    # Through their own organization's address: the account is not found there.
    url = reverse(
        "integrations:service-account-deactivate",
        args=[cast.other_organization.slug, service_account.pk],
    )
    assert client.post(url).status_code == 404
    # Through this organization's: not an admin here.
    url = reverse(
        "integrations:service-account-deactivate",
        args=[cast.organization.slug, service_account.pk],
    )
    assert client.post(url).status_code == 403
    service_account.refresh_from_db()
    assert service_account.is_active


def test_the_service_accounts_page_does_not_grow_with_accounts(
    client, cast, django_assert_max_num_queries
):
    for n in range(6):
        account = services.create_service_account(
            cast.organization, by=cast["admin"], name=f"System {n}", roles=["admin"]
        )
        for m in range(3):
            services.create_service_token(
                account,
                by=cast["admin"],
                name=f"t{m}",
                scopes=["read"],
                expires_at=in_days(5),
            )
    client.force_login(cast["admin"])
    url = reverse("integrations:service-accounts", args=[cast.organization.slug])
    with django_assert_max_num_queries(12):
        page = client.get(url)
    assert page.text.count("Revoke…") == 18
