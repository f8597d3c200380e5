import io
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from accounts.models import AuditEntry, Organization
from analytics import selectors
from assessments.models import Submission
from credentials import dataintegrity
from credentials import services as credentials
from credentials.models import Award, CertificateTemplate
from pathways.models import Enrolment, PathwayCompletion

DAY = timedelta(days=1)


def test_the_demo_has_every_role_and_three_stages_and_loads_once(
    db, capsys, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    printed = capsys.readouterr().out
    for username in ("dana", "riley", "farah", "omar", "ada", "lena", "liam", "lucy"):
        assert username in printed
    assert "cairn-demo" in printed

    lena = get_user_model().objects.get(username="lena")
    assert PathwayCompletion.objects.filter(learner=lena).count() == 1
    assert Award.objects.filter(learner=lena).count() == 4
    # Every learner was told; a certificate is rendered when first asked for.
    assert all(a.notified_at or a.revoked_at for a in Award.objects.all())
    first = credentials.certificate_for_download(Award.objects.filter(learner=lena)[0])
    assert first.pdf.read().startswith(b"%PDF")
    assert Award.objects.filter(learner__username="liam").count() == 1
    assert (
        Submission.objects.filter(status="submitted").get().learner.username == "liam"
    )
    # The three demo learners and a cohort of six in the main pathway; Liam and
    # Lucy in the overlapping one.
    assert Enrolment.objects.filter(version__pathway__code="DATA-PATH").count() == 9
    assert Enrolment.objects.filter(version__pathway__code="DATA-ESS").count() == 2
    # Only the eight demo logins can sign in.
    assert sorted(
        u.username for u in get_user_model().objects.all() if u.has_usable_password()
    ) == ["ada", "dana", "farah", "lena", "liam", "lucy", "omar", "riley"]
    # Every flow can be finished by a printed login: whoever may be handed work
    # (a first or second mark, a moderation) can sign in to do it.
    graders = get_user_model().objects.filter(memberships__role__in=["faculty"])
    assert graders.count() == 2
    assert all(grader.has_usable_password() for grader in graders)
    assert lena.check_password("cairn-demo")
    # A designed certificate template, published and the default, signed by two.
    template = CertificateTemplate.objects.get(is_default=True)
    version = template.latest_version
    assert version.number == 1
    assert [s["name"] for s in version.settings["signatories"]] == [
        "Ada Lovelace",
        "Grace Hopper",
    ]
    assert all(
        s["image"].startswith("data:image/png") for s in version.settings["signatories"]
    )

    loaded = (get_user_model().objects.count(), Award.objects.count())
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    assert "already loaded" in capsys.readouterr().out
    assert (get_user_model().objects.count(), Award.objects.count()) == loaded
    assert CertificateTemplate.objects.count() == 1


def test_the_demo_has_months_of_history_behind_its_analytics(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=io.StringIO())
    organization = Organization.objects.get(slug="northfield")
    now = timezone.now()

    months = selectors.monthly_activity(organization, now=now)
    assert len([m for m in months if m.module_completions]) >= 3
    # Each award is dated with the completion it certifies.
    assert [m.awards_issued for m in months] == [
        m.module_completions + m.pathway_completions for m in months
    ]
    headline = selectors.headline(organization, days=365, now=now)
    figures = {f.key: f.current for f in headline.figures}
    assert figures["median_days_to_grade"] >= 1
    assert headline.oldest_waiting_days >= 1  # Liam's chart
    tasks = selectors.task_statistics(organization)
    assert all(row.median_days_to_grade >= 1 for row in tasks)
    assert sum(row.second_marked for row in tasks) > 0
    [path] = [
        row
        for row in selectors.pathway_funnels(organization)
        if row.version.pathway.code == "DATA-PATH"
    ]
    assert path.completed >= 2
    assert path.median_days_to_complete > 30

    for submission in Submission.objects.filter(grade__isnull=False).select_related(
        "grade", "task"
    ):
        waited = submission.grade.graded_at - submission.submitted_at
        assert DAY <= waited <= 14 * DAY
        if submission.attempt > 1:
            previous = Submission.objects.get(
                task=submission.task,
                learner=submission.learner,
                attempt=submission.attempt - 1,
            )
            retake_wait = submission.task.retake_wait_days * DAY
            assert previous.grade.graded_at + retake_wait <= submission.submitted_at
    assert Submission.objects.filter(attempt__gt=1, grade__passed=True).exists()

    # Awards were signed with the historic date, so the signatures still hold.
    award = Award.objects.get(learner__username="lena", kind=Award.Kind.PATHWAY)
    valid_from = dataintegrity.parse_datetime(award.credential["validFrom"])
    assert valid_from == award.issued_at.replace(microsecond=0)
    assert award.issued_at < now - 30 * DAY
    assert credentials.verify_award(award).is_valid

    # The audit trail tells the same history: each submission and grade is
    # recorded when it happened, not when the demo was loaded.
    for submission in Submission.objects.filter(grade__isnull=False).select_related(
        "grade"
    ):
        entries = AuditEntry.objects.filter(object_id=str(submission.pk))
        submitted = entries.get(action="submission.submitted")
        assert submitted.at == submission.submitted_at
        assert entries.filter(at=submission.grade.graded_at).exists()
    months_logged = {entry.at.strftime("%Y-%m") for entry in AuditEntry.objects.all()}
    assert len(months_logged) >= 3
