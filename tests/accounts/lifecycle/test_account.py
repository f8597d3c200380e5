"""The account page: name, addresses, preferences, identity providers, sessions."""

import pytest
from allauth.socialaccount.models import SocialAccount
from django.test import Client
from django.urls import reverse

from accounts.models import AccountPreferences, AccountSession
from tests.accounts.sso.factories import make_oidc_provider
from tests.factories import OrganizationFactory, UserFactory

ACCOUNT = reverse("accounts:account")


def _college_sso() -> str:
    """An OpenID Connect provider as an organization's admin configures one; the
    id allauth files its accounts under."""
    provider = make_oidc_provider(
        OrganizationFactory(), slug="college", name="College SSO"
    )
    return provider.slug


def _logged_in(user, agent: str, address: str) -> Client:
    client = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR=address)
    response = client.post(
        reverse("login"), {"username": user.username, "password": "pw"}
    )
    assert response.status_code == 302
    return client


@pytest.mark.django_db
def test_the_account_page_shows_the_person_and_records_their_address(client):
    person = UserFactory()
    client.force_login(person)
    page = client.get(ACCOUNT)
    assert page.status_code == 200
    assert person.username in page.text
    assert person.email in page.text
    assert "Not verified" in page.text
    assert "Download my data" in page.text
    assert person.emailaddress_set.get().email == person.email


@pytest.mark.django_db
def test_a_person_changes_their_name_and_preferences(client):
    person = UserFactory()
    client.force_login(person)
    response = client.post(
        reverse("accounts:account-name"), {"first_name": " Ada ", "last_name": "Byron"}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.first_name, person.last_name) == ("Ada", "Byron")
    response = client.post(
        reverse("accounts:account-preferences"),
        {"language": "fr", "email_on_reviews": "on"},
    )
    assert response.status_code == 302
    preferences = AccountPreferences.objects.get(user=person)
    assert preferences.language == "fr"
    assert preferences.email_on_reviews
    assert not preferences.email_on_credentials


@pytest.mark.django_db
def test_bad_input_changes_nothing(client):
    person = UserFactory(first_name="Ada", last_name="Byron")
    client.force_login(person)
    response = client.post(
        reverse("accounts:account-name"), {"first_name": "", "last_name": " "}
    )
    assert response.status_code == 400
    assert "Give at least one of your names." in response.text
    response = client.post(reverse("accounts:account-preferences"), {"language": "xx"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.text
    person.refresh_from_db()
    assert person.first_name == "Ada"
    assert not AccountPreferences.objects.filter(user=person, language="xx").exists()


@pytest.mark.django_db
def test_sessions_are_listed_and_one_can_be_ended():
    person = UserFactory()
    laptop = _logged_in(person, "Firefox on the laptop", "198.51.100.1")
    phone = _logged_in(person, "Safari on the phone", "198.51.100.2")
    page = laptop.get(ACCOUNT)
    assert "Firefox on the laptop" in page.text
    assert "Safari on the phone" in page.text
    assert "198.51.100.2" in page.text
    assert AccountSession.objects.filter(user=person).count() == 2
    on_phone = AccountSession.objects.get(user=person, ip="198.51.100.2")
    response = laptop.post(reverse("accounts:account-session-end", args=[on_phone.pk]))
    assert response.status_code == 302
    assert phone.get(ACCOUNT).status_code == 302  # the phone is signed out
    assert laptop.get(ACCOUNT).status_code == 200  # the laptop is not


@pytest.mark.django_db
def test_nobody_ends_another_persons_session():
    person, other = UserFactory(), UserFactory()
    theirs = _logged_in(other, "Chrome", "198.51.100.3")
    mine = _logged_in(person, "Chrome", "198.51.100.4")
    session = AccountSession.objects.get(user=other)
    response = mine.post(reverse("accounts:account-session-end", args=[session.pk]))
    assert response.status_code == 404
    assert theirs.get(ACCOUNT).status_code == 200


@pytest.mark.django_db
def test_sign_out_everywhere_ends_every_session():
    person = UserFactory()
    laptop = _logged_in(person, "Firefox", "198.51.100.1")
    phone = _logged_in(person, "Safari", "198.51.100.2")
    response = laptop.post(reverse("accounts:account-sessions-end-all"))
    assert response.status_code == 302
    assert laptop.get(ACCOUNT).status_code == 302
    assert phone.get(ACCOUNT).status_code == 302
    assert not AccountSession.objects.filter(user=person).exists()


@pytest.mark.django_db
def test_logging_out_forgets_the_session(client):
    person = UserFactory()
    laptop = _logged_in(person, "Firefox", "198.51.100.1")
    assert AccountSession.objects.filter(user=person).exists()
    laptop.post(reverse("logout"))
    assert not AccountSession.objects.filter(user=person).exists()


@pytest.mark.django_db
def test_connected_identity_providers_are_listed_and_disconnected(client):
    person = UserFactory()
    SocialAccount.objects.create(user=person, provider=_college_sso(), uid="sub-123")
    client.force_login(person)
    page = client.get(ACCOUNT)
    assert "sub-123" in page.text
    assert "College SSO" in page.text
    identity = SocialAccount.objects.get(user=person)
    response = client.post(
        reverse("accounts:account-identity-disconnect"), {"account": identity.pk}
    )
    assert response.status_code == 302
    assert not SocialAccount.objects.filter(user=person).exists()


@pytest.mark.django_db
def test_the_last_way_in_is_not_disconnected(client):
    person = UserFactory()
    person.set_unusable_password()
    person.save()
    identity = SocialAccount.objects.create(
        user=person, provider=_college_sso(), uid="sub-9"
    )
    client.force_login(person)
    response = client.post(
        reverse("accounts:account-identity-disconnect"),
        {"account": identity.pk},
        follow=True,
    )
    assert SocialAccount.objects.filter(pk=identity.pk).exists()
    assert "password" in response.text.lower()


@pytest.mark.django_db
def test_another_persons_identity_is_not_disconnected(client):
    person, other = UserFactory(), UserFactory()
    theirs = SocialAccount.objects.create(user=other, provider=_college_sso(), uid="x")
    client.force_login(person)
    client.post(reverse("accounts:account-identity-disconnect"), {"account": theirs.pk})
    assert SocialAccount.objects.filter(pk=theirs.pk).exists()


@pytest.mark.django_db
def test_the_account_page_needs_a_login(client):
    response = client.get(ACCOUNT)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_the_account_page_does_not_grow_in_queries(django_assert_max_num_queries):
    person = UserFactory()
    client = _logged_in(person, "Firefox", "198.51.100.1")
    sso = _college_sso()
    for n in range(5):
        _logged_in(person, f"Browser {n}", f"198.51.100.{10 + n}")
        SocialAccount.objects.create(user=person, provider=sso, uid=f"sub-{n}")
    client.get(ACCOUNT)  # the first visit records the address
    with django_assert_max_num_queries(12):
        page = client.get(ACCOUNT)
    assert page.text.count("Browser ") == 5


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["account_email", "account_change_password"])
def test_allauths_own_pages_sit_in_cairns_layout(client, name):
    client.force_login(UserFactory())
    page = client.get(reverse(name))
    assert page.status_code == 200
    assert 'class="site"' in page.text  # Cairn's header and footer
    assert 'class="card"' in page.text
