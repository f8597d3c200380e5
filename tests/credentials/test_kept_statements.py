"""The verification page and the admin's award list run statements compiled
once per process with each request's own values (config/statements.py):
another award, list or search through the same statement finds its own rows."""

import uuid

from django.contrib.auth import get_user_model
from django.urls import reverse

from config import statements
from credentials import services
from credentials.models import Award, StatusList
from credentials.services import verification
from tests.credentials.test_award_list_queries import more_awards
from tests.credentials.test_expiry import _module_award


def test_each_award_page_shows_its_own_award(client, cast, issued):
    more_awards(issued, 2)
    other = Award.objects.exclude(pk=issued.pk).order_by("pk").first()
    for award in (issued, other, issued):
        page = client.get(award.get_absolute_url()).text
        assert f'href="{reverse("credentials:json", args=[award.uuid])}"' in page
        assert award.learner.get_full_name() in page
    missing = reverse("credentials:verify", args=[uuid.uuid4()])
    assert client.get(missing).status_code == 404


def test_a_renewal_and_what_it_renewed_link_each_other(client, cast, pathway):
    old = _module_award(cast, pathway, days=30, completed_days_ago=40)
    new = services.renew_award(old, by=cast["admin"], reason="Checked the logbook.")
    old_page = client.get(old.get_absolute_url()).text
    assert "Renewed by" in old_page
    assert f'href="{new.get_absolute_url()}"' in old_page
    new_page = client.get(new.get_absolute_url()).text
    assert "Renews" in new_page
    assert "Renewed by" not in new_page


def test_searches_of_as_many_words_each_find_their_own(client, cast, issued):
    more_awards(issued, 3)
    client.force_login(cast["admin"])
    url = reverse("credentials:manage", args=[cast.organization.slug])
    for shown, hidden in (("Person1", "Person2"), ("Person2", "Person1")):
        page = client.get(url, {"q": f"Many {shown}"}).text
        assert f"Many {shown}" in page
        assert f"Many {hidden}" not in page
        assert "1 credential match" in page
    # LIKE's wildcards in a word, and the stand-ins' own characters (a word
    # is put in once, never read again for stand-ins), are themselves.
    for word in ("%", "_", "Person%", "\\", "\ue000word1\ue001 Person1"):
        page = client.get(url, {"q": word}).text
        assert "No credential matches these filters" in page
    get_user_model().objects.filter(username="many0").update(last_name="100%_sure")
    page = client.get(url, {"q": "100%_"}).text
    assert "Many 100%_sure" in page
    assert "1 credential match" in page


def test_the_statements_are_kept_but_never_the_rows(client, cast, issued):
    statements.forget()
    client.force_login(cast["admin"])
    url = reverse("credentials:manage", args=[cast.organization.slug])
    assert "1 credential," in client.get(url).text
    more_awards(issued, 2)
    Award.objects.filter(pk=issued.pk).update(revoked_at=issued.issued_at)
    page = client.get(url).text
    assert "3 credentials," in page
    assert page.count('<span class="badge revoked">Revoked</span>') == 1
    assert "2 credentials match" in client.get(url, {"status": "valid"}).text


def test_a_status_list_is_read_by_its_id_and_no_id_past_any_is_an_error(issued):
    listed = StatusList.objects.get(pk=issued.revocation_list_id)
    assert verification._status_list(listed.pk) == listed
    assert verification._status_list(listed.pk + 1000) is None
    assert verification._status_list(10**30) is None


def test_words_of_a_search_may_name_the_achievement_or_the_learner(
    client, cast, issued
):
    """Every word in the achievement or the learner's name, in any mix: the
    awards of the people all words name, or of an achievement one names."""
    more_awards(issued, 3)
    client.force_login(cast["admin"])
    url = reverse("credentials:manage", args=[cast.organization.slug])
    achievement = issued.achievement_name.split()[0]
    mixed = client.get(url, {"q": f"{achievement} Person2"}).text
    assert "Many Person2" in mixed
    assert "1 credential match" in mixed
    both = client.get(url, {"q": f"Many {achievement}"}).text
    assert "3 credentials match" in both
    assert "No credential matches" in client.get(url, {"q": "Many Nobody"}).text
    assert "No credential matches" in client.get(url, {"q": "Person1 Person2"}).text
