"""pathways.selectors.cohorts.pathway_percents: a cohort's progress in one pathway,
the figure each learner's progress page shows."""

from django.utils import timezone

from assessments.models import ModuleCompletion
from assessments.services import record_completion
from pathways import services as pathways
from pathways.selectors.cohorts import pathway_percents
from pathways.selectors.progress import learner_progress


def test_each_learner_is_measured_against_the_version_they_enrolled_in(cast, pathway):
    newer = pathways.create_pathway_version(
        cast.organization,
        by=cast["designer"],
        code="PATH",
        title="Data pathway",
        rule=pathways.all_of(["A-101", "B-102"]),
    )
    newer = pathways.publish_pathway_version(
        newer, by=cast["admin"], changelog="Two modules."
    )
    enrolled, other = cast["learner"], cast["other_learner"]
    pathways.enrol(enrolled, pathway.version)
    for learner in (enrolled, other):
        record_completion(
            learner, pathway.tasks[0].version, source=ModuleCompletion.Source.GRADED
        )
    now = timezone.now()
    percents = pathway_percents(newer.pathway, [enrolled.pk, other.pk], on=now)
    # One of three on the version enrolled in; one of two on the latest.
    assert percents == {enrolled.pk: 33, other.pk: 50}
    [page] = learner_progress(enrolled, on=now)
    assert page.percent == percents[enrolled.pk]
