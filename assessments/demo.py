"""Demo data for assessment: second marking on the charts task, a cohort with
its grader, a calibration anchor and a declined recognition request.
Idempotent: running it again changes nothing."""

from assessments import services
from assessments.models import (
    AssessmentTask,
    Cohort,
    Mark,
    ModuleCompletion,
    RecognitionDecision,
    Submission,
)
from curriculum.models import ModuleVersion


def extend_demo(organization, users: dict) -> None:
    ada, farah = users["ada"], users["farah"]
    tasks = AssessmentTask.objects.filter(
        version__module__organization=organization,
        version__status=ModuleVersion.Status.PUBLISHED,
    ).select_related("version__module")
    by_code = {task.version.module.code: task for task in tasks}

    charts = by_code.get("VIZ-102")
    if charts is not None:
        second_mark_charts(charts, by=ada)

    cohort = Cohort.objects.filter(
        organization=organization, name="Evening 2026"
    ).first()
    if cohort is None:
        cohort = services.create_cohort(organization, by=ada, name="Evening 2026")
        for name in ("lena", "liam", "lucy"):
            services.add_to_cohort(cohort, by=ada, user=users[name], as_role="learner")
        services.add_to_cohort(cohort, by=ada, user=farah, as_role="faculty")

    sheets = by_code.get("SHEET-101")
    if sheets is not None:
        graded = (
            Submission.objects.filter(
                task=sheets, learner=users["lena"], status=Submission.Status.GRADED
            )
            .select_related("grade")
            .first()
        )
        if graded and not graded.marks.filter(role=Mark.Role.ANCHOR).exists():
            levels = {
                cg.criterion_id: cg.level_id for cg in graded.grade.criteria.all()
            }
            services.set_anchor(
                graded,
                lead=farah,
                levels=levels,
                comment="A clear, well-evidenced pass: the standard to aim for.",
            )
        lucy = users["lucy"]
        asked = RecognitionDecision.objects.filter(
            learner=lucy, version=sheets.version
        ).exists()
        has_completion = (
            ModuleCompletion.objects.live()
            .filter(learner=lucy, version=sheets.version)
            .exists()
        )
        if not asked and not has_completion:
            services.record_recognition(
                lucy,
                sheets.version,
                by=ada,
                source=ModuleCompletion.Source.RECOGNITION,
                decision=RecognitionDecision.Decision.DECLINED,
                reason="The 2019 spreadsheet course covered formulas but not pivot "
                "tables or data validation; take the module.",
            )


def second_mark_charts(charts: AssessmentTask, *, by) -> None:
    """Second marking on the charts task: a 10 % sample and every pass within a
    point of the pass mark. Does nothing once the task has a policy; seed_demo
    sets it before its history, so that history's charts were second-marked."""
    if charts.second_mark_percent == 0:
        services.set_marking_policy(
            charts,
            by=by,
            second_mark_percent=10,
            borderline_points=1,
            moderation_tolerance=1,
        )
