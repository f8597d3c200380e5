"""Grades and rosters from the loopback platform: an instructor maps a line
item to a module, the platform's score completes it and an award is issued
through the existing pipeline; a lowered score voids it and revokes the award.
NRPS keeps the course's cohort."""

from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract

from assessments.models import ModuleCompletion
from credentials import services as credential_services
from credentials.models import Award
from integrations.lti import nrps, syncs
from integrations.models import LtiContext, LtiMember, LtiResultCompletion, LtiSync
from tests import builders
from tests.integrations.lti.conftest import launch, sync
from tests.integrations.lti.platform import INSTRUCTOR, _Conf


def _course(client, platform, capture):
    platform.add_member(
        "teacher-1", name="Ann Lee", email="ann@example.edu", roles=(INSTRUCTOR,)
    )
    with capture(execute=True):
        launch(client, platform, "teacher-1", roles=(INSTRUCTOR,), name="Ann Lee")
    return LtiContext.objects.get()


def test_a_mapped_grade_completes_the_module_and_a_lowered_one_revokes_the_award(
    cast, client, platform, django_capture_on_commit_callbacks
):
    task = builders.make_module(cast, "A-101")
    quiz = platform.add_line_item("quiz-1", "Spreadsheet quiz")
    platform.add_member("student-1", name="Sam Ray", email="sam@example.edu")
    context = _course(client, platform, django_capture_on_commit_callbacks)
    page = client.get(f"/integrations/lti/courses/{context.pk}/")
    assert b"Spreadsheet quiz" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            f"/integrations/lti/courses/{context.pk}/",
            {"module": task.version.module_id, "line_items": [quiz], "min_percent": 80},
        )
    assert answer.status_code == 302
    assert not ModuleCompletion.objects.exists()
    page = client.get(f"/integrations/lti/courses/{context.pk}/")
    assert "“Spreadsheet quiz” completes Module A-101" in page.content.decode()

    platform.post_score(quiz, "student-1", 85)
    with django_capture_on_commit_callbacks(execute=True):
        sync(context)
    evidence = LtiResultCompletion.objects.get()
    assert evidence.scores == {quiz: "85.00"}
    completion = evidence.completion
    assert completion.voided_at is None
    assert completion.version == task.version
    award = Award.objects.get(learner=evidence.learner)
    assert credential_services.verify_award(award).status == "valid"

    # Reading again changes nothing: the evidence is unique per rule and learner.
    with django_capture_on_commit_callbacks(execute=True):
        sync(context)
    assert LtiResultCompletion.objects.count() == 1

    platform.post_score(quiz, "student-1", 60)
    with django_capture_on_commit_callbacks(execute=True):
        sync(context)
    completion.refresh_from_db()
    award.refresh_from_db()
    assert completion.voided_at is not None
    assert award.revoked_at is not None
    page = client.get(f"/integrations/lti/courses/{context.pk}/")
    assert b"Sam Ray" in page.content


def test_all_of_several_line_items_must_reach_the_threshold(
    cast, client, platform, django_capture_on_commit_callbacks
):
    task = builders.make_module(cast, "A-101")
    one = platform.add_line_item("one", "Essay")
    two = platform.add_line_item("two", "Exam", maximum=50)
    platform.add_member("student-1", name="Sam Ray", email="sam@example.edu")
    context = _course(client, platform, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/integrations/lti/courses/{context.pk}/",
            {
                "module": task.version.module_id,
                "line_items": [one, two],
                "min_percent": 70,
            },
        )
    platform.post_score(one, "student-1", 90)
    platform.post_score(two, "student-1", 30)  # 60 %
    with django_capture_on_commit_callbacks(execute=True):
        sync(context)
    assert not ModuleCompletion.objects.exists()
    platform.post_score(two, "student-1", 36)  # 72 %
    with django_capture_on_commit_callbacks(execute=True):
        sync(context)
    assert ModuleCompletion.objects.live().count() == 1


def test_the_course_roster_is_kept_as_a_cohort_across_pages(
    cast, client, platform, django_capture_on_commit_callbacks
):
    platform.page_size = 2
    for n in range(3):
        platform.add_member(f"s-{n}", name=f"Student {n}", email=f"s{n}@example.edu")
    context = _course(client, platform, django_capture_on_commit_callbacks)
    context.refresh_from_db()
    assert context.cohort.learners.count() == 3
    platform.add_member(
        "s-1", name="Student 1", email="s1@example.edu", status="Inactive"
    )
    platform.members = [m for m in platform.members if m["user_id"] != "s-2"]
    with django_capture_on_commit_callbacks(execute=True):
        result = sync(context)
    assert result["withdrawn"] == 2
    assert context.cohort.learners.count() == 1
    assert LtiMember.objects.get(identity__subject="teacher-1").status == "active"
    withdrawn = LtiMember.objects.filter(status="withdrawn")
    assert {m.identity.subject for m in withdrawn} == {"s-1", "s-2"}


def test_the_service_token_is_fetched_once_and_reused(
    cast, client, platform, django_capture_on_commit_callbacks
):
    platform.add_member("student-1", name="Sam Ray", email="sam@example.edu")
    context = _course(client, platform, django_capture_on_commit_callbacks)
    issued = platform.tokens_issued
    sync(context)
    sync(context)
    assert platform.tokens_issued == issued


def test_an_instructor_places_a_progress_page_by_deep_linking(
    cast, client, platform, django_capture_on_commit_callbacks
):
    builders.make_pathway(cast)
    with django_capture_on_commit_callbacks(execute=True):
        answer = launch(
            client, platform, "teacher-1", roles=(INSTRUCTOR,), deep_linking=True
        )
    slug = cast.organization.slug
    assert answer["Location"] == f"/integrations/lti/{slug}/deep-link/"
    page = client.post(answer["Location"], {"target": "pathway:PATH"})
    assert page.status_code == 200
    response_jwt = page.context["jwt"]
    assert page.context["return_url"] == platform.url + "/deep-link-return"
    conf: LTI1P3PlatformConfAbstract = _Conf(registration=platform.registration)
    conf.get_registration()
    [item] = conf.validate_deeplinking_resp({"JWT": response_jwt})
    assert item["custom"] == {"cairn_pathway": "PATH"}
    assert item["url"].endswith(f"/integrations/lti/{slug}/launch/")


def test_a_stranger_cannot_open_a_course_page(
    cast, client, platform, django_capture_on_commit_callbacks
):
    context = _course(client, platform, django_capture_on_commit_callbacks)
    client.force_login(cast["learner"])
    assert client.get(f"/integrations/lti/courses/{context.pk}/").status_code == 404


def test_the_course_page_does_not_grow_with_its_learners(
    cast,
    client,
    platform,
    django_capture_on_commit_callbacks,
    django_assert_max_num_queries,
):
    task = builders.make_module(cast, "A-101")
    quiz = platform.add_line_item("quiz-1", "Spreadsheet quiz")
    for n in range(30):
        platform.add_member(f"s-{n}", name=f"Student {n}", email=f"s{n}@example.edu")
        platform.post_score(quiz, f"s-{n}", 90)
    context = _course(client, platform, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/integrations/lti/courses/{context.pk}/",
            {"module": task.version.module_id, "line_items": [quiz], "min_percent": 80},
        )
    assert LtiResultCompletion.objects.count() == 30
    with django_assert_max_num_queries(20):
        page = client.get(f"/integrations/lti/courses/{context.pk}/")
    assert page.content.decode().count("Module A-101") >= 30


def test_a_platform_that_is_down_fails_only_its_own_sync(
    cast, client, platform, django_capture_on_commit_callbacks
):
    platform.add_member("student-1", name="Sam Ray", email="sam@example.edu")
    context = _course(client, platform, django_capture_on_commit_callbacks)
    platform.stop()
    members_before = list(LtiMember.objects.values_list("pk", "status"))
    queued = syncs.queue_sync(context, trigger=LtiSync.Trigger.INSTRUCTOR)
    failed = syncs.run_sync(queued.pk)
    assert failed.status == LtiSync.Status.FAILED
    assert "did not answer" in failed.note
    assert list(LtiMember.objects.values_list("pk", "status")) == members_before


def test_two_courses_with_one_title_never_share_a_cohort(
    cast, client, platform, django_capture_on_commit_callbacks
):
    first = _course(client, platform, django_capture_on_commit_callbacks)
    first.refresh_from_db()
    second = LtiContext.objects.create(
        platform=first.platform, context_id="course-2", title=first.title
    )
    third = LtiContext.objects.create(
        platform=first.platform, context_id="course-3", title=first.title
    )
    cohorts = [nrps.course_cohort(c) for c in (first, second, third)]
    assert len({c.pk for c in cohorts}) == 3
    assert cohorts[1].name == f"{cohorts[0].name} (course-2)"
    assert cohorts[2].name == f"{cohorts[0].name} (course-3)"
    assert nrps.course_cohort(second) == cohorts[1]
