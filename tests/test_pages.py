"""The thin path through the HTML pages, as each role would click it."""

import pytest
from django.urls import reverse

from assessments.models import AssessmentTask, Grade, Submission
from credentials.models import Award
from curriculum.models import ModuleVersion
from pathways import services as pathway_services
from pathways.models import PathwayVersion
from tests import builders


def test_a_designer_builds_a_module_and_an_admin_publishes_it(client, cast):
    client.force_login(cast["designer"])
    response = client.post(
        reverse("curriculum:module-create"),
        {"organization": cast.organization.pk, "code": "XL-101", "title": "Excel",
         "credits": "5", "summary": "Spreadsheets at work."},
    )  # fmt: skip
    version = ModuleVersion.objects.get(module__code="XL-101")
    assert response.url == version.get_absolute_url()

    add = reverse("curriculum:outcome-add", args=[version.pk])
    fragment = client.post(
        add, {"statement": "Build a pivot table that answers a question."},
        headers={"HX-Request": "true"},
    )  # fmt: skip
    assert fragment.status_code == 200
    assert 'id="outcomes"' in fragment.text
    assert "<html" not in fragment.text  # only the fragment
    client.post(add, {"statement": "Chart the result honestly."})
    assert version.outcomes.count() == 2

    response = client.post(
        reverse("assessments:task-create", args=[version.pk]),
        {"title": "Pivot task", "levels": "Not yet = 0\nCompetent = 2\nExemplary = 3",
         "criteria": "Accuracy | 1\nHonest chart | 2", "pass_min_total": "4",
         "pass_min_level": "1", "max_attempts": "3"},
    )  # fmt: skip
    assert response.status_code == 302
    task = AssessmentTask.objects.get(version=version)
    # Levels are counted from 1 on every form: "1" asks for the lowest level.
    assert task.rubric.pass_min_level == 0
    assert [c.name for c in task.rubric.criteria.all()] == ["Accuracy", "Honest chart"]
    assert task.rubric.criteria.first().outcomes.get().position == 1

    page = client.get(version.get_absolute_url())
    assert "Publish version" not in page.text  # designers do not publish
    client.force_login(cast["admin"])
    client.post(
        reverse("curriculum:version-publish", args=[version.pk]),
        {"changelog": "First release."},
    )
    version.refresh_from_db()
    assert version.status == ModuleVersion.Status.PUBLISHED
    assert "Accuracy" in client.get(version.get_absolute_url()).text


def test_a_task_form_with_a_bad_level_line_explains_it(client, cast):
    task = builders.make_module(cast, "M-1", publish=False)
    client.force_login(cast["designer"])
    response = client.post(
        reverse("assessments:task-create", args=[task.version.pk]),
        {"title": "T", "levels": "Good\nBetter = 2", "criteria": "C",
         "pass_min_total": "1", "max_attempts": "3"},
    )  # fmt: skip
    assert "Line 1: write “name = points”." in response.text
    assert AssessmentTask.objects.filter(version=task.version).count() == 1


def test_a_designer_creates_a_pathway_of_three_modules(client, cast):
    for code in ("A-1", "B-1", "C-1"):
        builders.make_module(cast, code)
    client.force_login(cast["designer"])
    modules = cast.organization.modules.values_list("pk", flat=True)
    client.post(
        reverse("pathways:create"),
        {"organization": cast.organization.pk, "code": "P-1", "title": "Path",
         "modules": list(modules)},
    )  # fmt: skip
    version = PathwayVersion.objects.get()
    assert version.rule == pathway_services.all_of(["A-1", "B-1", "C-1"])
    client.force_login(cast["admin"])
    client.post(
        reverse("pathways:version-publish", args=[version.pk]), {"changelog": "v1"}
    )
    version.refresh_from_db()
    assert version.status == PathwayVersion.Status.PUBLISHED


def test_a_learner_submits_faculty_grade_and_the_learner_reads_feedback(
    client, cast, pathway, django_capture_on_commit_callbacks
):
    task = pathway.tasks[0]
    pathway_services.enrol(cast["learner"], pathway.version)
    client.force_login(cast["learner"])
    client.post(
        reverse("assessments:task-detail", args=[task.pk]),
        {"text": "My pivot table and notes."},
    )
    submission = Submission.objects.get()

    client.force_login(cast["faculty"])
    queue = client.get(reverse("assessments:queue"))
    assert reverse("assessments:grade", args=[submission.pk]) in queue.text
    levels = builders.levels_for(task, 2)
    form = {f"level_{c}": lv for c, lv in levels.items()}
    form |= {f"comment_{c}": "Clear working." for c in levels}
    form["comment"] = "Solid work."
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("assessments:grade", args=[submission.pk]), form)
    assert response.status_code == 302
    assert Grade.objects.get().passed

    client.force_login(cast["learner"])
    feedback = client.get(
        reverse("assessments:submission-detail", args=[submission.pk])
    )
    assert "Passed with 4 points" in feedback.text
    assert "Clear working." in feedback.text
    assert Award.objects.filter(learner=cast["learner"]).count() == 1


def test_the_dashboard_shows_progress_and_credentials(
    client, cast, pathway, django_capture_on_commit_callbacks
):
    pathway_services.enrol(cast["learner"], pathway.version)
    for task in pathway.tasks[:2]:
        with django_capture_on_commit_callbacks(execute=True):
            builders.submit_and_pass(task, cast["learner"], cast["faculty"])
    client.force_login(cast["learner"])
    page = client.get(reverse("home"))
    assert "2 of 3 modules done." in page.text
    assert 'aria-valuenow="67"' in page.text
    assert "Next step:" in page.text
    assert "Module C-103" in page.text
    assert page.text.count('class="done"') == 2
    assert "Module A-101" in page.text
    assert "PDF certificate" in page.text


@pytest.mark.parametrize("extra_pathways", [1, 4])
def test_the_dashboard_does_not_grow_in_queries(
    client, cast, pathway, extra_pathways, django_assert_max_num_queries
):
    for n in range(extra_pathways):
        version = pathway_services.create_pathway_version(
            cast.organization, by=cast["designer"], code=f"X{n}", title=f"X{n}",
            rule=pathway_services.all_of(["A-101", "B-102"]),
        )  # fmt: skip
        version = pathway_services.publish_pathway_version(
            version, by=cast["admin"], changelog="x"
        )
        pathway_services.enrol(cast["learner"], version)
    for task in pathway.tasks[:2]:
        builders.submit_and_pass(task, cast["learner"], cast["faculty"])
    builders.submit(pathway.tasks[2], cast["learner"])  # waiting for a grade
    client.force_login(cast["learner"])
    # 15: the catalogue reads the prerequisites module versions list, so the
    # map locks on what holds where work starts (one query, whatever the count).
    with django_assert_max_num_queries(15):
        assert client.get(reverse("home")).status_code == 200


@pytest.mark.parametrize("waiting", [1, 3])
def test_the_grading_queue_does_not_grow_in_queries(
    client, cast, pathway, waiting, django_assert_max_num_queries
):
    learners = [cast["learner"], cast["other_learner"]]
    for n in range(waiting):
        builders.submit(pathway.tasks[n], learners[n % 2])
    client.force_login(cast["faculty"])
    with django_assert_max_num_queries(9):
        response = client.get(reverse("assessments:queue"))
    assert response.text.count("Grade</a>") == waiting
