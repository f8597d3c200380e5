import pytest

from curriculum.models import ModuleVersion
from reviews.models import Review


def test_a_round_through_the_api(client, cast, board, draft):
    client.force_login(cast["designer"])
    response = client.post(
        "/api/reviews/submit/",
        {"kind": "module", "version": draft.pk, "board": board.pk, "note": "API"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    outcome = Review.objects.get(pk=pk).content["outcomes"][0]
    for person in ("practitioner_1", "practitioner_2"):
        client.force_login(cast[person])
        assert [
            r["id"] for r in client.get("/api/reviews/?waiting=1").json()["results"]
        ] == [pk]
        client.post(
            f"/api/reviews/{pk}/declarations/",
            {"has_conflict": False},
            content_type="application/json",
        )
        response = client.post(
            f"/api/reviews/{pk}/comments/",
            {
                "anchor_kind": "outcome",
                "anchor_key": str(outcome["key"]),
                "body": "Fine",
            },
            content_type="application/json",
        )
        assert response.json()["anchor_label"].startswith("Outcome 1")
        response = client.post(
            f"/api/reviews/{pk}/votes/",
            {"decision": "approve", "reason": "Ready"},
            content_type="application/json",
        )
        assert response.status_code == 201
    assert response.json()["status"] == "approved"
    assert ModuleVersion.objects.get(pk=draft.pk).status == "approved"
    detail = client.get(f"/api/reviews/{pk}/").json()
    assert [v["decision"] for v in detail["votes"]] == ["approve", "approve"]


@pytest.mark.parametrize(("role", "status"), [("designer", 403), ("stranger", 404)])
def test_only_seated_members_vote_through_the_api(client, cast, review, role, status):
    client.force_login(cast[role])
    response = client.post(
        f"/api/reviews/{review.pk}/votes/",
        {"decision": "approve", "reason": "Mine"},
        content_type="application/json",
    )
    assert response.status_code == status


def test_a_vote_before_declaring_is_a_clear_400(client, cast, review):
    client.force_login(cast["practitioner_1"])
    response = client.post(
        f"/api/reviews/{review.pk}/votes/",
        {"decision": "approve", "reason": "Ready"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "Declare any conflict of interest" in str(response.json())
