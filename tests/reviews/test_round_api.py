"""A designer's side of a round of review through the API: withdraw it, answer
comments, start the next draft of a published version."""

import pytest

from accounts.models import AuditEntry
from curriculum.models import ModuleVersion
from reviews import services
from reviews.models import Comment, Review
from tests import builders
from tests.integrations.conftest import bearer, personal_token


@pytest.fixture
def review(cast):
    version = builders.make_module(cast, "R-1", publish=False).version
    board = builders.make_board(cast)
    return services.submit_for_review(version, by=cast["designer"], board=board)


def test_a_designer_token_withdraws_a_round_with_a_reason(cast, review):
    api = bearer(personal_token(cast["designer"], "read", "admin", name="ci"))
    url = f"/api/reviews/{review.pk}/withdraw/"
    before = AuditEntry.objects.count()
    refused = api.post(url, {"reason": ""}, format="json")
    assert refused.status_code == 400
    assert "reason" in refused.json()
    assert Review.objects.get(pk=review.pk).status == "open"
    assert AuditEntry.objects.count() == before
    done = api.post(url, {"reason": "The outcomes change."}, format="json")
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == "withdrawn"
    entry = AuditEntry.objects.filter(action__startswith="review.").latest("pk")
    assert entry.data["via"].startswith("token ci (cairn_pat_")
    assert api.post(url, {"reason": "Again."}, format="json").status_code == 403


def test_a_reviewer_cannot_withdraw_and_a_stranger_does_not_see_it(cast, review):
    reviewer = bearer(personal_token(cast["reviewer"]))
    url = f"/api/reviews/{review.pk}/withdraw/"
    assert reviewer.post(url, {"reason": "x"}, format="json").status_code == 403
    stranger = bearer(personal_token(cast["stranger"]))
    assert stranger.post(url, {"reason": "x"}, format="json").status_code == 404
    assert Review.objects.get(pk=review.pk).status == "open"


def test_a_comment_is_answered_or_resolved(cast, review):
    services.declare_interest(review, user=cast["practitioner_1"], has_conflict=False)
    comment = services.add_comment(
        review, user=cast["practitioner_1"], anchor_kind="general", body="Why?"
    )
    api = bearer(personal_token(cast["designer"], "admin", name="ci"))
    url = f"/api/reviews/comments/{comment.pk}/respond/"
    refused = api.post(url, {"response": " "}, format="json")
    assert refused.status_code == 400
    assert "response" in refused.json()
    assert Comment.objects.get(pk=comment.pk).status == "open"
    answered = api.post(url, {"response": "Because.", "resolve": True}, format="json")
    assert answered.status_code == 200, answered.json()
    assert answered.json()["status"] == "resolved"
    assert AuditEntry.objects.get(action="review.comment_resolved").data["via"]


def test_the_next_draft_of_a_published_version_starts_through_the_api(cast):
    published = builders.make_module(cast, "P-1").version
    api = bearer(personal_token(cast["designer"], "admin", name="ci"))
    body = {"kind": "module", "version": published.pk}
    started = api.post("/api/reviews/start-draft/", body, format="json")
    assert started.status_code == 201, started.json()
    assert (started.json()["number"], started.json()["status"]) == (2, "draft")
    draft = ModuleVersion.objects.get(pk=started.json()["id"])
    assert draft.module == published.module
    again = api.post(
        "/api/reviews/start-draft/",
        {"kind": "module", "version": draft.pk},
        format="json",
    )
    assert again.status_code == 403  # a draft is edited, not copied
    stranger = bearer(personal_token(cast["stranger"]))
    assert (
        stranger.post("/api/reviews/start-draft/", body, format="json").status_code
        == 404
    )
    bad = api.post("/api/reviews/start-draft/", {"kind": "essay", "version": 1})
    assert bad.status_code == 400
    assert ModuleVersion.objects.filter(module=published.module).count() == 2
