"""Course sites: where a platform serves its courses from another address than
its issuer and login URL (Canvas: the college's own instructure.com address),
its admin names them, audited, and those origins may frame Cairn's login page
before any session exists."""

from accounts.models import AuditEntry
from integrations.models import LtiPlatform
from tests.integrations.lti.platform import path_of
from tests.integrations.lti.test_launch import _frame_ancestors


def _sites_url(cast, platform) -> str:
    slug = cast.organization.slug
    return f"/integrations/organizations/{slug}/lti/{platform.pk}/course-sites/"


def test_an_admin_names_the_course_sites_and_they_may_frame_the_login(
    cast, client, platform
):
    registered = LtiPlatform.objects.get(organization=cast.organization)
    client.force_login(cast["admin"])
    answer = client.post(
        _sites_url(cast, registered),
        {
            "addresses": "https://College.instructure.com/courses/12\n"
            "https://college.instructure.com\n\n"
        },
    )
    assert answer.status_code == 302
    registered.refresh_from_db()
    assert registered.frame_origins == ["https://college.instructure.com"]
    entry = AuditEntry.objects.get(action="lti.course_sites_changed")
    assert entry.data["after"] == ["https://college.instructure.com"]
    detail = client.get(answer["Location"])
    assert b"https://college.instructure.com" in detail.content

    client.logout()
    url = platform.initiate_login("lms-user-1") + "&lti_storage_target=_parent"
    login = client.get(path_of(url))
    assert login.status_code == 200
    assert "https://college.instructure.com" in _frame_ancestors(
        login["Content-Security-Policy"]
    )


def test_an_address_that_is_not_a_web_address_changes_nothing(cast, client, platform):
    registered = LtiPlatform.objects.get(organization=cast.organization)
    client.force_login(cast["admin"])
    answer = client.post(
        _sites_url(cast, registered),
        {"addresses": "https://college.instructure.com\nftp://files.example"},
    )
    assert answer.status_code == 400
    assert "“ftp://files.example” is not a web address" in answer.content.decode()
    registered.refresh_from_db()
    assert registered.frame_origins == []
    assert not AuditEntry.objects.filter(action="lti.course_sites_changed").exists()


def test_only_the_organizations_admins_name_course_sites(cast, client, platform):
    registered = LtiPlatform.objects.get(organization=cast.organization)
    client.force_login(cast["faculty"])
    answer = client.post(
        _sites_url(cast, registered), {"addresses": "https://evil.example"}
    )
    assert answer.status_code in (403, 404)
    registered.refresh_from_db()
    assert registered.frame_origins == []
