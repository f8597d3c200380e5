"""Reads that gather what a credential or certificate says, in few queries."""

import json
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch, QuerySet

from assessments.models import Criterion, CriterionGrade, ModuleCompletion
from credentials import openbadges
from credentials.certificates import CertificateInfo
from credentials.models import Award
from curriculum.models import ModuleVersion, Organization, Outcome
from pathways import rules
from pathways.models import PathwayCompletion
from pathways.selectors import latest_published_modules


@dataclass(frozen=True)
class AchievementFacts:
    organization: Organization
    achievement: openbadges.AchievementInfo
    results: tuple[openbadges.AchievedLevel, ...] = ()


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _criterion_id(achievement_id: str, criterion: Criterion) -> str:
    return f"{achievement_id}#criterion-{criterion.pk}"


def module_achievement(completion: ModuleCompletion) -> AchievementFacts:
    version = (
        ModuleVersion.objects.select_related("module__organization")
        .prefetch_related(
            Prefetch(
                "outcomes",
                queryset=Outcome.objects.prefetch_related("competencies__framework"),
            ),
            Prefetch(
                "tasks__rubric__criteria",
                queryset=Criterion.objects.prefetch_related("levels"),
            ),
        )
        .get(pk=completion.version_id)
    )
    achievement_id = _absolute(version.get_absolute_url())
    alignments = tuple(
        openbadges.Alignment(
            target_name=competency.statement[:200],
            target_url=competency.uri or _absolute(version.get_absolute_url()),
            target_code=competency.code,
            target_framework=competency.framework.name,
            target_type="ceasn:Competency",
        )
        for outcome in version.outcomes.all()
        for competency in outcome.competencies.all()
    )
    criteria = tuple(
        openbadges.RubricCriterion(
            id=_criterion_id(achievement_id, criterion),
            name=criterion.name,
            levels=tuple(
                openbadges.RubricLevel(
                    id=f"{achievement_id}#level-{level.pk}",
                    name=level.name,
                    points=level.points,
                    description=level.descriptor,
                )
                for level in criterion.levels.all()
            ),
        )
        for task in version.tasks.all()
        for criterion in task.rubric.criteria.all()
    )
    results: tuple[openbadges.AchievedLevel, ...] = ()
    if completion.grade_id:
        results = tuple(
            openbadges.AchievedLevel(
                criterion_id=_criterion_id(achievement_id, cg.criterion),
                level_id=f"{achievement_id}#level-{cg.level_id}",
            )
            for cg in CriterionGrade.objects.filter(
                grade_id=completion.grade_id
            ).select_related("criterion")
        )
    outcomes = "; ".join(o.statement for o in version.outcomes.all())
    achievement = openbadges.AchievementInfo(
        id=achievement_id,
        name=version.title,
        description=version.summary or version.title,
        criteria_narrative=version.criteria_narrative
        or f"Demonstrate these outcomes, assessed with a rubric: {outcomes}",
        achievement_type="MicroCredential",
        version=str(version.number),
        alignments=alignments,
        criteria=criteria,
        credits_available=version.credits,
    )
    return AchievementFacts(version.module.organization, achievement, results)


def pathway_achievement(completion: PathwayCompletion) -> AchievementFacts:
    version = completion.version
    organization = version.pathway.organization
    codes = rules.module_codes(version.rule)
    modules = latest_published_modules({(organization.pk, c) for c in codes})
    titles = [
        modules[(organization.pk, c)].title
        for c in codes
        if (organization.pk, c) in modules
    ]
    credits = sum((m.credits for m in modules.values()), Decimal("0"))
    achievement = openbadges.AchievementInfo(
        id=_absolute(version.get_absolute_url()),
        name=version.title,
        description=version.summary or version.title,
        criteria_narrative="Complete every module of the pathway: " + "; ".join(titles),
        achievement_type="Certificate",
        version=str(version.number),
        credits_available=credits or None,
    )
    return AchievementFacts(organization, achievement)


def certificate_info(award: Award) -> CertificateInfo:
    award = Award.objects.select_related("learner", "organization").get(pk=award.pk)
    achievement = award.credential["credentialSubject"]["achievement"]
    outcomes: tuple[str, ...] = ()
    level = ""
    credits = ""
    if award.module_completion_id:
        version = award.module_completion.version
        outcomes = tuple(version.outcomes.values_list("statement", flat=True))
        level = version.level
        credits = f"{version.credits:g} credits"
    elif award.pathway_completion_id:
        steps = award.pathway_completion.version
        organization_id = steps.pathway.organization_id
        codes = rules.module_codes(steps.rule)
        modules = latest_published_modules({(organization_id, c) for c in codes})
        outcomes = tuple(
            f"{c}: {modules[(organization_id, c)].title}"
            for c in codes
            if (organization_id, c) in modules
        )
        if achievement.get("creditsAvailable"):
            credits = f"{Decimal(str(achievement['creditsAvailable'])):g} credits"
    return CertificateInfo(
        learner_name=award.learner.get_full_name() or award.learner.get_username(),
        achievement_name=award.achievement_name,
        achievement_kind=award.get_kind_display(),
        organization_name=award.organization.name,
        issued_on=award.issued_at.date(),
        credential_id=str(award.uuid),
        verify_url=_absolute(award.get_absolute_url()),
        credential_json=json.dumps(award.credential, indent=2).encode(),
        description=achievement.get("description", ""),
        outcomes=outcomes,
        level=level,
        credits=credits,
    )


def module_completions_without_award() -> QuerySet[ModuleCompletion]:
    return ModuleCompletion.objects.live().filter(award__isnull=True)


def pathway_completions_without_award() -> QuerySet[PathwayCompletion]:
    return PathwayCompletion.objects.live().filter(award__isnull=True)


def learner_awards(learner) -> QuerySet[Award]:
    return Award.objects.filter(learner=learner).select_related("organization")


def public_award(award_uuid) -> Award:
    return Award.objects.select_related("organization", "learner", "signing_key").get(
        uuid=award_uuid
    )
