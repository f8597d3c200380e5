"""The admin's award list and the verification page cost the same queries for
one award or many (issue 17: an organization of a state system has millions),
and the list counts no further than its cap."""

import uuid

from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import ModuleCompletion
from credentials import views
from credentials.models import Award


def more_awards(issued: Award, count: int) -> None:
    """Awards of other learners for the same module, without signing each."""
    version = issued.module_completion.version
    for i in range(count):
        learner = get_user_model().objects.create(
            username=f"many{i}", first_name="Many", last_name=f"Person{i}"
        )
        completion = ModuleCompletion.objects.create(
            learner=learner,
            version=version,
            source=ModuleCompletion.Source.AWARDED,
            completed_at=issued.issued_at,
        )
        Award.objects.create(
            uuid=uuid.uuid4(),
            kind=Award.Kind.MODULE,
            learner=learner,
            organization=issued.organization,
            module_completion=completion,
            achievement_name=issued.achievement_name,
            signing_key=issued.signing_key,
            credential=issued.credential,
            issued_at=issued.issued_at,
        )


def queries(client, url, data) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, data).status_code == 200
    return len(captured.captured_queries)


def test_the_award_list_and_its_search_cost_the_same_for_one_or_many(
    client, cast, issued, django_assert_max_num_queries
):
    client.force_login(cast["admin"])
    url = reverse("credentials:manage", args=[cast.organization.slug])
    searches = [{}, {"q": "Many Person1"}, {"q": issued.achievement_name[:6]}]
    more_awards(issued, 2)  # every search finds something: its page is read
    with_two = [queries(client, url, s) for s in searches]
    Award.objects.filter(learner__username__startswith="many").delete()
    ModuleCompletion.objects.filter(learner__username__startswith="many").delete()
    get_user_model().objects.filter(username__startswith="many").delete()
    more_awards(issued, 40)
    for search, expected in zip(searches, with_two, strict=True):
        with django_assert_max_num_queries(expected):
            assert client.get(url, search).status_code == 200


def test_the_award_list_counts_up_to_its_cap(client, cast, issued, monkeypatch):
    more_awards(issued, 12)
    client.force_login(cast["admin"])
    url = reverse("credentials:manage", args=[cast.organization.slug])
    assert "13 credentials" in client.get(url).text
    monkeypatch.setattr(views.CappedPaginator, "cap", 10)
    page = client.get(url).text
    assert "More than 10 credentials" in page
    assert "Many Person11" in client.get(url, {"q": "Person11"}).text


def test_the_verification_page_costs_the_same_for_a_learner_with_many_awards(
    client, cast, issued, django_assert_max_num_queries
):
    url = issued.get_absolute_url()
    with_one = queries(client, url, {})
    more_awards(issued, 20)
    with django_assert_max_num_queries(with_one):
        assert client.get(url).status_code == 200


def test_each_row_of_the_award_list_shows_its_award(client, cast, issued):
    """Rows read as values: the link, names (the username without one), kind
    and status as the award's own methods would give them."""
    more_awards(issued, 3)
    revoked, suspended, unnamed = Award.objects.filter(
        learner__username__startswith="many"
    ).order_by("learner__username")
    Award.objects.filter(pk=revoked.pk).update(revoked_at=issued.issued_at)
    Award.objects.filter(pk=suspended.pk).update(suspended_at=issued.issued_at)
    get_user_model().objects.filter(pk=unnamed.learner_id).update(
        first_name="", last_name=""
    )
    client.force_login(cast["admin"])
    page = client.get(reverse("credentials:manage", args=[cast.organization.slug])).text
    for award in (issued, revoked, suspended, unnamed):
        assert f'<a href="{award.get_absolute_url()}">' in page
    assert f"<td>{issued.learner.get_full_name()}</td>" in page
    assert f"<td>{unnamed.learner.username}</td>" in page
    assert page.count('<span class="badge revoked">Revoked</span>') == 1
    assert page.count('<span class="badge revoked">Suspended</span>') == 1
    assert page.count("<td>Valid</td>") == 2
    assert page.count(f"<td>{issued.get_kind_display()}</td>") == 4
