import pytest
from django.urls import reverse

from accounts.models import AuditEntry, IdentityProvider
from tests import factories
from tests.accounts.sso.factories import make_oidc_provider

pytestmark = pytest.mark.django_db

ROLES_AND_STATUS = [
    ("admin", 200),
    ("site_admin", 200),
    ("designer", 403),
    ("reviewer", 403),
    ("faculty", 403),
    ("learner", 403),
    ("stranger", 403),
    ("outside_faculty", 403),
]


def _person(cast, role):
    if role == "site_admin":
        return factories.UserFactory(is_superuser=True, is_staff=True)
    return cast[role]


@pytest.mark.parametrize(("role", "status"), ROLES_AND_STATUS)
def test_who_may_see_the_sign_in_settings(client, cast, role, status):
    provider = make_oidc_provider(cast.organization)
    client.force_login(_person(cast, role))
    slug = cast.organization.slug
    for url in (
        reverse("accounts:sso-providers", args=[slug]),
        reverse("accounts:sso-provider-add", args=[slug]),
        reverse("accounts:sso-provider", args=[slug, provider.slug]),
        reverse("accounts:sso-provider-remove", args=[slug, provider.slug]),
    ):
        assert client.get(url).status_code == status, url


@pytest.mark.parametrize(("role", "status"), ROLES_AND_STATUS)
def test_who_may_add_change_and_remove_a_provider(client, cast, role, status):
    client.force_login(_person(cast, role))
    slug = cast.organization.slug
    response = client.post(
        reverse("accounts:sso-provider-add", args=[slug]) + "?protocol=saml",
        {
            "name": "Shibboleth",
            "slug": "north-shib",
            "is_active": "on",
            "entity_id": "https://idp.north.edu/idp/shibboleth",
            "metadata_url": "https://idp.north.edu/idp/shibboleth/metadata",
            "email_domains_text": "north.edu",
            "rules_text": "eduPersonAffiliation, faculty, faculty",
            "default_role": "learner",
        },
    )
    added = IdentityProvider.objects.filter(slug="north-shib").first()
    if status != 200:
        assert response.status_code == status
        assert added is None
        provider = make_oidc_provider(cast.organization)
        edit = reverse("accounts:sso-provider", args=[slug, provider.slug])
        assert client.post(edit, {"name": "Taken"}).status_code == status
        remove = reverse("accounts:sso-provider-remove", args=[slug, provider.slug])
        assert client.post(remove).status_code == status
        assert IdentityProvider.objects.get().name == "Northfield login"
        return
    assert response.status_code == 302
    assert added.organization == cast.organization
    assert added.role_rules.get().role == "faculty"
    page = client.get(response.url)
    assert "/auth/saml/north-shib/acs/" in page.content.decode()
    remove = reverse("accounts:sso-provider-remove", args=[slug, added.slug])
    assert client.post(remove).status_code == 302
    assert not IdentityProvider.objects.exists()
    assert AuditEntry.objects.filter(action="sso.provider_removed").exists()


def test_bad_input_is_shown_by_field_and_nothing_is_saved(client, cast):
    client.force_login(cast["admin"])
    response = client.post(
        reverse("accounts:sso-provider-add", args=[cast.organization.slug]),
        {
            "name": "Entra",
            "slug": "entra",
            "discovery_url": "not a url",
            "client_id": "",
            "email_domains_text": "north.edu, @@bad",
            "rules_text": "groups, staff, dean",
            "default_role": "learner",
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"discovery_url", "client_id", "rules_text"} <= set(errors)
    assert "'dean' is no role" in errors["rules_text"][0]
    assert not IdentityProvider.objects.exists()


def test_the_secret_is_never_shown_back(client, cast):
    provider = make_oidc_provider(cast.organization)
    client.force_login(cast["admin"])
    page = client.get(
        reverse("accounts:sso-provider", args=[cast.organization.slug, provider.slug])
    )
    assert "s3cret" not in page.content.decode()


def test_the_login_page_sends_a_person_to_their_provider(client, cast):
    make_oidc_provider(cast.organization, email_domains=["north.edu"])
    page = client.get(reverse("login"))
    assert "Continue with your organization" in page.content.decode()
    unknown = client.post(reverse("accounts:sso-start"), {"email": "a@south.edu"})
    assert unknown.status_code == 302
    assert "log in with your username" in str(
        list(client.get(unknown.url).context["messages"])[0]
    )


def test_a_password_login_is_refused_where_the_organization_says_so(client, cast):
    make_oidc_provider(cast.organization, allows_local_passwords=False)
    response = client.post(
        reverse("login"), {"username": cast["faculty"].username, "password": "pw"}
    )
    assert response.status_code == 403
    assert "signs you in through Northfield login" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_provider_list_does_not_grow_in_queries(
    client, cast, django_assert_max_num_queries
):
    for number in range(6):
        make_oidc_provider(
            cast.organization,
            slug=f"p{number}",
            email_domains=[f"d{number}.edu"],
        )
    client.force_login(cast["admin"])
    with django_assert_max_num_queries(8):
        page = client.get(
            reverse("accounts:sso-providers", args=[cast.organization.slug])
        )
    assert page.content.decode().count("Northfield login") == 6


def test_an_empty_list_says_what_to_do(client, cast):
    client.force_login(cast["admin"])
    page = client.get(reverse("accounts:sso-providers", args=[cast.organization.slug]))
    assert "No identity provider yet" in page.content.decode()


def test_cairn_publishes_its_saml_metadata_for_the_idp(client, cast):
    from accounts.sso import services

    services.create_identity_provider(
        cast.organization,
        by=None,
        name="Shib",
        slug="shib",
        protocol="saml",
        entity_id="https://idp.north.edu/shibboleth",
        sso_url="https://idp.north.edu/sso",
        x509_certificate="MIIB",
    )
    metadata = client.get("/auth/saml/shib/metadata/", HTTP_HOST="localhost")
    assert metadata.status_code == 200
    assert "AssertionConsumerService" in metadata.content.decode()
    assert "/auth/saml/shib/acs/" in metadata.content.decode()
