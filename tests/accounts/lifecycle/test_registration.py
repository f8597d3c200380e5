"""Password reset, e-mail verification and self-registration, through allauth's
flows on Cairn's pages."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from accounts.lifecycle import services
from accounts.models import AuditEntry, Membership, SignupPolicy
from tests.factories import UserFactory

LINK = re.compile(r"http://testserver(/auth/\S+/)")


def _link(message) -> str:
    return LINK.search(message.body).group(1)


def _open(cast, *domains):
    return services.set_signup_policy(
        cast.organization, by=cast["admin"], is_open=True, email_domains=domains
    )


@pytest.mark.django_db
def test_the_login_page_offers_a_reset_and_allauths_login_comes_to_it(client):
    page = client.get(reverse("login"))
    assert reverse("account_reset_password") in page.text
    response = client.get("/auth/login/?next=/credentials/")
    assert response.status_code == 302
    assert response["Location"] == reverse("login") + "?next=/credentials/"


@pytest.mark.django_db
def test_a_forgotten_password_is_reset_by_email(client):
    person = UserFactory(email="ada@college.edu")
    response = client.post(
        reverse("account_reset_password"), {"email": "ADA@college.edu"}
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ada@college.edu"]
    form = client.get(_link(mail.outbox[0]), follow=True)
    assert form.status_code == 200
    assert "Choose a new password" in form.text
    response = client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else _link(mail.outbox[0]),
        {"password1": "a-long new secret 42", "password2": "a-long new secret 42"},
    )
    assert response.status_code == 302
    client.logout()
    logged_in = client.post(
        reverse("login"),
        {"username": person.username, "password": "a-long new secret 42"},
    )
    assert logged_in.status_code == 302
    # The link works once.
    again = client.get(_link(mail.outbox[0]), follow=True)
    assert "Link no longer valid" in again.text


@pytest.mark.django_db
def test_a_reset_for_an_unknown_address_says_nothing_and_sends_nothing(client):
    response = client.post(
        reverse("account_reset_password"), {"email": "nobody@college.edu"}
    )
    assert response.status_code == 302
    assert mail.outbox == []


def test_self_registration_makes_a_learner_once_the_address_is_verified(client, cast):
    _open(cast, "college.edu", "students.college.edu")
    response = client.get(reverse("accounts:join", args=[cast.organization.slug]))
    assert response["Location"] == reverse("account_signup")
    page = client.get(reverse("account_signup"))
    assert page.status_code == 200
    assert f"Register with {cast.organization.name}" in page.text
    assert "students.college.edu" in page.text

    refused = client.post(
        reverse("account_signup"),
        {
            "email": "eve@gmail.com",
            "username": "eve",
            "password1": "a-long secret 42",
            "password2": "a-long secret 42",
        },
    )
    assert refused.status_code == 200
    assert "takes registrations from addresses at college.edu" in refused.text
    assert not get_user_model().objects.filter(username="eve").exists()

    response = client.post(
        reverse("account_signup"),
        {
            "email": "Sam@Students.College.edu",
            "username": "sam",
            "password1": "a-long secret 42",
            "password2": "a-long secret 42",
        },
    )
    assert response.status_code == 302
    sam = get_user_model().objects.get(username="sam")
    # Not a learner until the address is verified: anyone can type an address.
    assert not Membership.objects.filter(user=sam).exists()
    assert len(mail.outbox) == 1
    confirm = _link(mail.outbox[0])
    assert "Confirm" in client.get(confirm).text
    assert client.post(confirm).status_code == 302
    membership = Membership.objects.get(user=sam)
    assert membership.organization == cast.organization
    assert membership.role == Membership.Role.LEARNER
    assert AuditEntry.objects.filter(
        action="member.self_registered", actor=sam
    ).exists()


def test_signup_is_closed_without_an_open_organization(client, cast):
    closed = client.get(reverse("accounts:join", args=[cast.organization.slug]))
    assert closed.status_code == 403
    assert "Registration closed" in closed.text
    page = client.get(reverse("account_signup"))
    assert "Registration closed" in page.text
    client.post(
        reverse("account_signup"),
        {
            "email": "sam@college.edu",
            "username": "sam",
            "password1": "a-long secret 42",
            "password2": "a-long secret 42",
        },
    )
    assert not get_user_model().objects.filter(username="sam").exists()


def test_a_verification_link_is_sent_from_the_account_page(client, cast):
    person = cast["faculty"]
    client.force_login(person)
    client.get(reverse("accounts:account"))
    address = person.emailaddress_set.get()
    response = client.post(
        reverse("account_email"), {"action_send": "", "email": address.email}
    )
    assert response.status_code == 302
    client.post(_link(mail.outbox[0]))
    address.refresh_from_db()
    assert address.verified
    # Verifying an address of someone who did not self-register joins nothing.
    assert set(
        Membership.objects.filter(user=person).values_list("role", flat=True)
    ) == {"faculty"}


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("designer", 403), ("learner", 403), ("outside_faculty", 403)],
)
def test_only_admins_set_self_registration(client, cast, role, status):
    client.force_login(cast[role])
    url = reverse("accounts:signup-policy", args=[cast.organization.slug])
    assert client.get(url).status_code == status
    response = client.post(url, {"is_open": "on", "email_domains": "college.edu"})
    assert response.status_code == (302 if status == 200 else status)
    assert SignupPolicy.objects.filter(is_open=True).exists() == (status == 200)


def test_the_admin_sets_domains_and_bad_ones_change_nothing(client, cast):
    client.force_login(cast["admin"])
    url = reverse("accounts:signup-policy", args=[cast.organization.slug])
    response = client.post(
        url, {"is_open": "on", "email_domains": "@College.edu, students.college.edu"}
    )
    assert response.status_code == 302
    policy = SignupPolicy.objects.get(organization=cast.organization)
    assert policy.email_domains == ["college.edu", "students.college.edu"]
    page = client.get(url)
    assert reverse("accounts:join", args=[cast.organization.slug]) in page.text
    bad = client.post(
        url, {"is_open": "on", "email_domains": "college.edu, not a domain"}
    )
    assert bad.status_code == 400
    assert "is not an e-mail domain" in bad.text
    empty = client.post(url, {"is_open": "on", "email_domains": ""})
    assert empty.status_code == 400
    assert "at least one domain" in empty.text
    policy.refresh_from_db()
    assert policy.email_domains == ["college.edu", "students.college.edu"]
    assert AuditEntry.objects.filter(action="signup.policy_changed").count() == 1
