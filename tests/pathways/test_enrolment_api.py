"""An admin's work on enrolment through the API: enrol a cohort, move learners
to a newer version, re-evaluate, and waive a prerequisite."""

import pytest

from accounts.models import AuditEntry
from assessments import services as assessments
from integrations.tokens import services as tokens
from pathways import services
from pathways.models import Enrolment, PrerequisiteOverride, Reevaluation
from tests.integrations.conftest import bearer, personal_token, service_token


@pytest.fixture
def api(cast):
    account = tokens.create_service_account(
        cast.organization, by=cast["admin"], name="Registry", roles=["admin"]
    )
    return bearer(service_token(account, cast["admin"], "read", "admin", name="sis"))


def test_a_cohort_is_enrolled_moved_and_re_evaluated(
    cast, pathway, api, django_capture_on_commit_callbacks
):
    cohort = assessments.create_cohort(cast.organization, by=cast["admin"], name="C")
    for person in ("learner", "other_learner"):
        assessments.add_to_cohort(
            cohort, by=cast["admin"], user=cast[person], as_role="learner"
        )
    v1 = f"/api/pathway-versions/{pathway.version.pk}"
    enrolled = api.post(f"{v1}/enrol-cohort/", {"cohort": cohort.pk}, format="json")
    assert enrolled.status_code == 200, enrolled.json()
    assert enrolled.json() == {"count": 2}
    assert Enrolment.objects.filter(version=pathway.version).count() == 2
    entry = AuditEntry.objects.filter(action__startswith="cohort.").latest("pk")
    assert entry.data["via"].startswith("token sis (cairn_sat_")

    draft = services.create_pathway_version(
        cast.organization,
        by=cast["designer"],
        code="PATH",
        title="Data pathway v2",
        rule=pathway.version.rule,
    )
    v2 = services.publish_pathway_version(draft, by=cast["admin"], changelog="v2")
    backwards = api.post(f"{v1}/move-cohort/", {"source": v2.pk}, format="json")
    assert backwards.status_code == 400
    assert Enrolment.objects.filter(version=v2).count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        moved = api.post(
            f"/api/pathway-versions/{v2.pk}/move-cohort/",
            {"source": pathway.version.pk},
            format="json",
        )
    assert moved.json() == {"count": 2}
    assert Enrolment.objects.filter(version=v2).count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        started = api.post(f"/api/pathway-versions/{v2.pk}/reevaluate/")
    assert started.status_code == 202
    run = api.get(f"/api/reevaluations/{started.json()['id']}/").json()
    assert (run["total"], run["status"]) == (2, "done")


def test_another_organization_s_cohort_is_not_enrolled(cast, pathway, api):
    from assessments.models import Cohort

    theirs = Cohort.objects.create(organization=cast.other_organization, name="T")
    url = f"/api/pathway-versions/{pathway.version.pk}/enrol-cohort/"
    answer = api.post(url, {"cohort": theirs.pk}, format="json")
    assert answer.status_code == 400
    assert "cohort" in answer.json()
    assert not Enrolment.objects.exists()


def test_a_prerequisite_is_waived_with_a_reason(cast, pathway):
    module = pathway.tasks[1].version.module
    url = f"/api/modules/{module.pk}/prerequisite-overrides/"
    api = bearer(personal_token(cast["faculty"], "read", "admin", name="advisor"))
    before = AuditEntry.objects.count()
    for body, field in [
        ({"learner": cast["learner"].username, "reason": " "}, "reason"),
        ({"learner": "nobody", "reason": "Shown elsewhere."}, "learner"),
        ({"learner": cast["faculty"].username, "reason": "Staff."}, "learner"),
    ]:
        refused = api.post(url, body, format="json")
        assert refused.status_code == 400, body
        assert field in refused.json()
    assert not PrerequisiteOverride.objects.exists()
    assert AuditEntry.objects.count() == before
    done = api.post(
        url,
        {"learner": cast["learner"].email, "reason": "Showed it at work."},
        format="json",
    )
    assert done.status_code == 201, done.json()
    assert done.json()["learner"] == cast["learner"].username
    entry = AuditEntry.objects.get(action="prerequisite.overridden")
    assert entry.data["via"].startswith("token advisor (cairn_pat_")
    assert [o["reason"] for o in api.get(url).json()] == ["Showed it at work."]
    assert not Reevaluation.objects.exists()
