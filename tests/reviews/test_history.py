import pytest
from django.urls import reverse

from curriculum import services as curriculum
from reviews import services
from tests import builders


def approve(review, *people):
    for person in people:
        services.declare_interest(review, user=person, has_conflict=False)
        services.cast_vote(review, user=person, decision="approve", reason="Ready.")


def history_url(cast, code, kind="module"):
    return reverse("reviews:history", args=[cast.organization.slug, kind, code])


def test_the_public_history_shows_each_version_its_approval_and_diff(client, cast):
    first = builders.make_module(cast, "M-1").version  # approved directly, no board
    board = builders.make_board(cast)
    draft = curriculum.create_module_version(
        cast.organization, by=cast["designer"], code="M-1", title="Module M-1"
    )
    curriculum.add_outcome(draft, by=cast["designer"], statement="Outcome 1 of M-1")
    curriculum.add_outcome(draft, by=cast["designer"], statement="Chart the totals")
    review = services.submit_for_review(draft, by=cast["designer"], board=board)
    approve(review, cast["practitioner_1"], cast["practitioner_2"])
    curriculum.publish_version(draft, by=cast["admin"], changelog="Charts instead.")
    page = client.get(history_url(cast, "M-1")).text  # anonymous: public
    assert "Version 2: Module M-1" in page
    assert "Version 1: Module M-1" in page
    assert "Charts instead." in page
    assert "First release." in page
    assert "Industry board, round 1: 2 approved" in page
    # Practitioner 1 agreed to be named; practitioner 2 did not.
    named = cast["practitioner_1"].get_full_name()
    assert f"agreed to be named: {named}." in page
    assert cast["practitioner_2"].get_full_name() not in page
    assert "has no advisory board: approved by an administrator" in page
    assert "<del>Outcome 2 of M-1</del> → <ins>Chart the totals</ins>" in page
    assert "The first published version." in page
    draft.refresh_from_db()
    assert draft.digest in page
    assert first.get_absolute_url() in page


def test_drafts_are_not_in_the_public_history(client, cast):
    builders.make_module(cast, "M-1", publish=False)
    assert client.get(history_url(cast, "M-1")).status_code == 404
    assert client.get(history_url(cast, "M-1", kind="course")).status_code == 404


def test_a_version_links_to_the_history_only_once_there_is_one(client, cast):
    """A draft of a module never published said "Version history" and led to
    a 404; it now says when its history starts."""
    draft = builders.make_module(cast, "M-1", publish=False).version
    client.force_login(cast["designer"])
    page = client.get(draft.get_absolute_url()).text
    assert history_url(cast, "M-1") not in page
    assert "Its public history starts when a version is published." in page
    curriculum.publish_version(draft, by=cast["admin"], changelog="First.")
    page = client.get(draft.get_absolute_url()).text
    assert history_url(cast, "M-1") in page
    assert client.get(history_url(cast, "M-1")).status_code == 200
    # The next draft (number 2) links to the history of the published one.
    following = curriculum.create_module_version(
        cast.organization, by=cast["designer"], code="M-1", title="Module M-1"
    )
    assert following.number == 2
    assert history_url(cast, "M-1") in client.get(following.get_absolute_url()).text


def test_a_pathway_has_a_history_too(client, cast, pathway):
    page = client.get(history_url(cast, "PATH", kind="pathway"))
    assert page.status_code == 200
    assert pathway.version.get_absolute_url() in page.text


@pytest.mark.parametrize("versions", [1, 4])
def test_the_history_does_not_grow_in_queries(
    client, cast, versions, django_assert_max_num_queries
):
    builders.make_module(cast, "M-1")
    for n in range(versions):
        draft = curriculum.create_module_version(
            cast.organization, by=cast["designer"], code="M-1", title=f"Edition {n}"
        )
        curriculum.publish_version(draft, by=cast["admin"], changelog=f"Edition {n}")
    with django_assert_max_num_queries(6):
        assert client.get(history_url(cast, "M-1")).status_code == 200


@pytest.mark.parametrize(("role", "status"), [("designer", 302), ("learner", 403)])
def test_a_designer_starts_the_next_draft_from_the_history(client, cast, role, status):
    version = builders.make_module(cast, "M-1").version
    client.force_login(cast[role])
    page = client.get(history_url(cast, "M-1")).text
    assert ("Start a new draft from version 1" in page) == (role == "designer")
    response = client.post(reverse("reviews:start-draft", args=["module", version.pk]))
    assert response.status_code == status
    assert version.module.versions.count() == (2 if role == "designer" else 1)
