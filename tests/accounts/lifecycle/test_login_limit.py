"""The login limit counts failed attempts only (per address and per name)."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory

CAMPUS = "198.51.100.7"


def _log_in(client, username, password, address=CAMPUS):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


@pytest.mark.django_db
def test_a_whole_class_behind_one_address_logs_in(client, settings):
    settings.CAIRN_LOGINS_PER_MINUTE = 10
    students = [UserFactory() for _ in range(12)]
    for student in students:
        client.logout()
        response = _log_in(client, student.username, "pw")
        assert response.status_code == 302, student.username
        assert client.session["_auth_user_id"] == str(student.pk)


@pytest.mark.django_db
def test_failures_from_one_address_are_refused_past_the_limit(client, settings):
    settings.CAIRN_LOGINS_PER_MINUTE = 3
    people = [UserFactory() for _ in range(4)]
    # Successes in between do not use up the allowance ...
    assert _log_in(client, people[0].username, "pw").status_code == 302
    for person in people[1:]:
        client.logout()
        assert _log_in(client, person.username, "wrong").status_code == 200
    # ... three failures do, even for the right password of another name.
    refused = _log_in(client, people[0].username, "pw")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert "_auth_user_id" not in client.session
    # Another address is not held back.
    assert _log_in(client, people[3].username, "pw", "203.0.113.9").status_code == 302


@pytest.mark.django_db
def test_failures_for_one_name_are_refused_from_any_address(client, settings):
    settings.CAIRN_LOGINS_PER_MINUTE = 2
    target = UserFactory(username="dana")
    assert _log_in(client, "DANA", "guess1", "203.0.113.1").status_code == 200
    assert _log_in(client, "dana", "guess2", "203.0.113.2").status_code == 200
    assert _log_in(client, "dana", "pw", "203.0.113.3").status_code == 429
    other = UserFactory()
    assert _log_in(client, other.username, "pw", "203.0.113.3").status_code == 302
    assert client.session["_auth_user_id"] == str(other.pk)
    assert target.pk != other.pk
