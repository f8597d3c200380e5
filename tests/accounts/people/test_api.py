"""The people API, by who asks: the same permission table as the pages."""

import pytest

from accounts.models import Deactivation, Invitation, Membership, Organization
from accounts.people import services
from tests.accounts.people import MANAGERS, ROLES, roles_now


def _base(cast):
    return f"/api/organizations/{cast.organization.slug}"


ACTIONS = {
    "list members": (
        "get",
        lambda c: f"{_base(c)}/members/",
        None,
        lambda c, response: response.json()["count"] >= 6,
    ),
    "invite": (
        "post",
        lambda c: f"{_base(c)}/invitations/",
        {"email": "api@example.edu", "role": "faculty"},
        lambda c, response: Invitation.objects.filter(email="api@example.edu").exists(),
    ),
    "grant role": (
        "post",
        lambda c: f"{_base(c)}/members/{c['faculty'].pk}/roles/",
        {"role": "reviewer"},
        lambda c, response: "reviewer" in roles_now(c, "faculty"),
    ),
    "withdraw role": (
        "delete",
        lambda c: f"{_base(c)}/members/{_two_roles(c).pk}/roles/designer/",
        None,
        lambda c, response: "designer" not in roles_now(c, "faculty"),
    ),
    "deactivate": (
        "post",
        lambda c: f"{_base(c)}/members/{c['learner'].pk}/deactivate/",
        None,
        lambda c, response: Deactivation.objects.filter(user=c["learner"]).exists(),
    ),
    "list invitations": (
        "get",
        lambda c: _invited(c) and f"{_base(c)}/invitations/",
        None,
        lambda c, response: (
            [i["email"] for i in response.json()["results"]] == ["open@example.edu"]
        ),
    ),
    "withdraw invitation": (
        "post",
        lambda c: f"{_base(c)}/invitations/{_invited(c).pk}/withdraw/",
        None,
        lambda c, response: Invitation.objects.filter(
            email="open@example.edu", withdrawn_at__isnull=False
        ).exists(),
    ),
    "reactivate": (
        "post",
        lambda c: f"{_base(c)}/members/{_deactivated(c).pk}/reactivate/",
        None,
        lambda c, response: (
            "learner" in roles_now(c, "learner") and not Deactivation.objects.exists()
        ),
    ),
}


def _invited(cast) -> Invitation:
    invitation, _ = services.invite_member(
        cast.organization, by=cast["admin"], email="open@example.edu", role="faculty"
    )
    return invitation


def _deactivated(cast):
    services.deactivate_member(
        cast.organization, by=cast["admin"], user=cast["learner"]
    )
    return cast["learner"]


def _two_roles(cast):
    Membership.objects.create(
        organization=cast.organization, user=cast["faculty"], role="designer"
    )
    return cast["faculty"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_only_admins_and_site_admins_manage_people_through_the_api(
    client, people, role, action
):
    method, url, data, effect = ACTIONS[action]
    if role != "anonymous":
        client.force_login(people[role])
    kwargs = {"content_type": "application/json"} if data is not None else {}
    response = getattr(client, method)(url(people), data, **kwargs)
    if role in MANAGERS:
        assert response.status_code in (200, 201, 204), response.content[:300]
        assert effect(people, response)
    else:
        # Nobody signed in is asked to authenticate (401, RFC 6750); anyone else
        # is refused (403).
        assert response.status_code == (401 if role == "anonymous" else 403)
        if method != "get":
            assert not effect(people, response)


def test_the_member_list_searches_and_carries_roles(client, people):
    client.force_login(people["admin"])
    learner = people["learner"]
    found = client.get(
        f"{_base(people)}/members/", {"q": learner.username, "role": "learner"}
    ).json()
    assert [m["username"] for m in found["results"]] == [learner.username]
    assert found["results"][0]["roles"] == ["learner"]


def test_the_last_admin_cannot_be_withdrawn_through_the_api(client, people):
    client.force_login(people["admin"])
    Membership.objects.create(
        organization=people.organization, user=people["admin"], role="faculty"
    )
    response = client.delete(
        f"{_base(people)}/members/{people['admin'].pk}/roles/admin/"
    )
    assert response.status_code == 400
    assert "last admin" in str(response.json())


def test_a_non_member_is_404_for_role_changes(client, people):
    client.force_login(people["admin"])
    response = client.post(
        f"{_base(people)}/members/{people['stranger'].pk}/roles/",
        {"role": "learner"},
        content_type="application/json",
    )
    assert response.status_code == 404


@pytest.mark.parametrize(("role", "status"), [("site_admin", 201), ("admin", 403)])
def test_site_admins_create_organizations_through_the_api(client, people, role, status):
    client.force_login(people[role])
    response = client.post(
        "/api/organizations/",
        {"name": "Api College", "slug": "api-college", "time_zone": "Asia/Tokyo"},
        content_type="application/json",
    )
    assert response.status_code == status
    assert Organization.objects.filter(slug="api-college").exists() == (status == 201)
    if status == 201:
        assert response.json()["time_zone"] == "Asia/Tokyo"


def test_a_bad_time_zone_through_the_api_is_a_400(client, people):
    client.force_login(people["site_admin"])
    response = client.post(
        "/api/organizations/",
        {"name": "Api College", "slug": "api-college", "time_zone": "Nowhere/Land"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "time_zone" in response.json()


def test_the_people_endpoints_are_in_the_openapi_schema(client, db):
    schema = client.get("/api/schema/").content
    for path in (
        b"/api/organizations/{slug}/members/",
        b"/api/organizations/{slug}/invitations/",
        b"/api/organizations/{slug}/members/{user_id}/roles/{role}/",
        b"/api/organizations/{slug}/members/{user_id}/deactivate/",
    ):
        assert path in schema


def test_a_used_invitation_is_not_withdrawn_again(client, people):
    invitation = _invited(people)
    client.force_login(people["admin"])
    url = f"{_base(people)}/invitations/{invitation.pk}/withdraw/"
    assert client.post(url).status_code == 200
    again = client.post(url)
    assert again.status_code == 400
    assert "already used or withdrawn" in str(again.json())


def test_reactivating_someone_active_or_unknown_is_refused(client, people):
    client.force_login(people["admin"])
    active = client.post(f"{_base(people)}/members/{people['learner'].pk}/reactivate/")
    assert active.status_code == 400
    assert "is not deactivated" in str(active.json())
    stranger = f"{_base(people)}/members/{people['stranger'].pk}/reactivate/"
    assert client.post(stranger).status_code == 404
