"""Reads that gather what a credential or certificate says, in few queries."""

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from time import monotonic
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db.models import (
    Exists,
    OuterRef,
    Prefetch,
    QuerySet,
)
from django.urls import reverse
from django.utils import formats, timezone

from accounts.models import Organization
from assessments.models import (
    Criterion,
    CriterionGrade,
    ModuleCompletion,
    Submission,
)
from credentials import certificates, openbadges
from credentials import evidence as registered_evidence
from credentials.certificates import CertificateInfo
from credentials.models import (
    Award,
    DirectAward,
    IssuerProfile,
    SigningKey,
    WalletCredential,
)
from curriculum.models import ModuleVersion, Outcome
from curriculum.selectors import absolute_url
from pathways import rules
from pathways.models import PathwayCompletion, PathwayVersion
from pathways.selectors import latest_published_modules


@dataclass(frozen=True)
class AchievementFacts:
    organization: Organization
    achievement: openbadges.AchievementInfo
    results: tuple[openbadges.AchievedLevel, ...] = ()
    evidence: tuple[openbadges.EvidenceInfo, ...] = ()
    narrative: str = ""  # the subject's narrative
    valid_until: datetime | None = None  # a direct award's own expiry


def direct_award_facts(direct) -> dict:
    """What a direct (bulk) award puts in its credential: the narrative the
    organization wrote, as the subject's narrative and an evidence entry with
    the evidence URL as its id; and its own expiry, if it gave one."""
    if direct is None:
        return {}
    evidence = openbadges.EvidenceInfo(
        id=direct.evidence_url,
        name="Awarded directly by the organization",
        narrative=direct.narrative
        or f"Awarded directly by the organization on {direct.issued_on.isoformat()}.",
    )
    until = None
    if direct.expires_on:
        until = timezone.make_aware(datetime.combine(direct.expires_on, time(12)))
    return {
        "evidence": (evidence,),
        "narrative": direct.narrative,
        "valid_until": until,
    }


def graded_evidence(completion: ModuleCompletion) -> tuple:
    """A graded completion's evidence: the learner's description of their
    submission and the links they gave. Files are left out: a learner has not
    consented to their files going into a credential."""
    submission = (
        Submission.objects.filter(grade__pk=completion.grade_id)
        .select_related("task")
        .first()
    )
    if submission is None:
        return ()
    name = f"Submission for {submission.task.title}"
    entries = []
    links = [
        link
        for link in dict.fromkeys(
            submission.links or ([submission.link] if submission.link else [])
        )
        if isinstance(link, str) and openbadges.is_absolute_iri(link)
    ]
    if submission.text:
        entries.append(
            openbadges.EvidenceInfo(
                id=links[0] if links else "", name=name, narrative=submission.text
            )
        )
        links = links[1:]
    entries += [
        openbadges.EvidenceInfo(id=link, name=f"{name}: link {n}")
        for n, link in enumerate(links, start=2 if submission.text else 1)
    ]
    return tuple(entries)


def _direct_award_of(completion, field: str):
    return DirectAward.objects.filter(**{field: completion.pk}).first()


def _criterion_id(achievement_id: str, criterion_id: int) -> str:
    return f"{achievement_id}#criterion-{criterion_id}"


def badge_image(version: ModuleVersion | PathwayVersion) -> dict[str, str]:
    """The version's badge for achievement.image: the PNG at the published
    version's fixed address (public once published), with its words as caption."""
    if not version.has_badge:
        return {}
    return {
        "image_url": absolute_url(version.get_badge_url()),
        "image_caption": version.badge_alt,
    }


# A published version is frozen (curriculum/models.py refuses edits), so the
# achievement every award of it carries is the same: built once per worker
# process instead of in eight queries per award. Kept ten minutes, not for
# ever: the competencies it aligns to live in frameworks edited apart from it.
ACHIEVEMENT_CACHE_SECONDS = 600
ACHIEVEMENT_CACHE_SIZE = 1000  # versions; a worker's memory stays bounded
_achievements: dict[tuple[int, str], tuple[float, openbadges.AchievementInfo]] = {}


def module_achievement_info(version: ModuleVersion) -> openbadges.AchievementInfo:
    """What a module version's credentials say it certifies, the same for every
    award; a frozen version's is cached (ACHIEVEMENT_CACHE_SECONDS)."""
    if not version.is_frozen:
        return _build_module_achievement_info(version.pk)
    key = (version.pk, settings.SITE_URL)
    now = monotonic()
    cached = _achievements.get(key)
    if cached is not None and cached[0] > now:
        return cached[1]
    if len(_achievements) >= ACHIEVEMENT_CACHE_SIZE:
        _achievements.clear()
    info = _build_module_achievement_info(version.pk)
    _achievements[key] = (now + ACHIEVEMENT_CACHE_SECONDS, info)
    return info


def _build_module_achievement_info(version_id: int) -> openbadges.AchievementInfo:
    version = (
        ModuleVersion.objects.select_related("module")
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
        .get(pk=version_id)
    )
    achievement_id = absolute_url(version.get_absolute_url())
    alignments = tuple(
        openbadges.Alignment(
            target_name=competency.statement[:200],
            target_url=competency.uri or absolute_url(version.get_absolute_url()),
            target_code=competency.code,
            target_framework=competency.framework.name,
            target_type="ceasn:Competency",
        )
        for outcome in version.outcomes.all()
        for competency in outcome.competencies.all()
    )
    criteria = tuple(
        openbadges.RubricCriterion(
            id=_criterion_id(achievement_id, criterion.pk),
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
    outcomes = "; ".join(o.statement for o in version.outcomes.all())
    return openbadges.AchievementInfo(
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
        human_code=version.module.code,
        content_digest=version.digest,
        **badge_image(version),
    )


def module_achievement(completion: ModuleCompletion) -> AchievementFacts:
    """The achievement and what this learner's completion adds to it (rubric
    results, evidence); load the completion with version__module__organization."""
    version = completion.version
    achievement = module_achievement_info(version)
    achievement_id = achievement.id
    results: tuple[openbadges.AchievedLevel, ...] = ()
    if completion.grade_id:
        results = tuple(
            openbadges.AchievedLevel(
                criterion_id=_criterion_id(achievement_id, cg.criterion_id),
                level_id=f"{achievement_id}#level-{cg.level_id}",
            )
            for cg in CriterionGrade.objects.filter(grade_id=completion.grade_id)
        )
    evidence: tuple[openbadges.EvidenceInfo, ...] = ()
    direct: dict = {}
    if completion.source == ModuleCompletion.Source.AWARDED:
        direct = direct_award_facts(_direct_award_of(completion, "module_completion"))
    elif completion.source == ModuleCompletion.Source.GRADED and completion.grade_id:
        evidence = graded_evidence(completion)
    elif completion.source == ModuleCompletion.Source.RECOGNITION:
        evidence = (
            openbadges.EvidenceInfo(
                id="",
                name="Recognition of prior learning",
                narrative="Credited by recognition of prior learning: the learner's "
                "earlier learning was assessed against these outcomes.",
            ),
        )
    elif completion.source == ModuleCompletion.Source.EXTERNAL:
        evidence = (
            openbadges.EvidenceInfo(
                id="",
                name="Accepted outside credential",
                narrative="Credited by an outside credential found equivalent.",
            ),
        )
    else:
        evidence = registered_evidence.describe(completion)
    if direct:
        return AchievementFacts(
            version.module.organization, achievement, results, **direct
        )
    return AchievementFacts(version.module.organization, achievement, results, evidence)


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
        id=absolute_url(version.get_absolute_url()),
        name=version.title,
        description=version.summary or version.title,
        criteria_narrative="Complete every module of the pathway: " + "; ".join(titles),
        achievement_type="Certificate",
        version=str(version.number),
        credits_available=credits or None,
        human_code=version.pathway.code,
        content_digest=version.digest,
        **badge_image(version),
    )
    if completion.trace.get("awarded"):
        direct = direct_award_facts(_direct_award_of(completion, "pathway_completion"))
        direct.pop("valid_until", None)  # the completion carries its expiry
        return AchievementFacts(organization, achievement, **direct)
    return AchievementFacts(organization, achievement)


def issuer_name(award: Award) -> str:
    """The issuer's name as the award was signed with it."""
    issuer = award.credential.get("issuer")
    if isinstance(issuer, dict) and issuer.get("name"):
        return issuer["name"]
    return award.organization.name


def certificate_info(award: Award) -> CertificateInfo:
    award = Award.objects.select_related("learner", "organization").get(pk=award.pk)
    achievement = award.credential["credentialSubject"]["achievement"]
    outcomes: tuple[str, ...] = ()
    results: tuple[str, ...] = ()
    level = ""
    credits = ""
    if award.module_completion_id:
        version = award.module_completion.version
        outcomes = tuple(version.outcomes.values_list("statement", flat=True))
        level = version.level
        credits = f"{version.credits:g} credits"
        if award.module_completion.grade_id:
            results = tuple(
                f"{name}: {level_name}"
                for name, level_name in CriterionGrade.objects.filter(
                    grade_id=award.module_completion.grade_id
                ).values_list("criterion__name", "level__name")
            )
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
        # The name the credential was signed with, so the two always agree.
        organization_name=issuer_name(award),
        issued_on=award.issued_at.date(),
        credential_id=str(award.uuid),
        verify_url=absolute_url(award.get_absolute_url()),
        credential_json=json.dumps(award.credential, indent=2).encode(),
        description=achievement.get("description", ""),
        outcomes=outcomes,
        level=level,
        credits=credits,
        logo_data_uri=issuer_logo_data_uri(award.organization),
        valid_until=award.expires_at.date() if award.expires_at else None,
        expired=award.is_expired(timezone.now()),
        rubric_results=results,
        status_note=status_note(award),
    )


def status_note(award: Award) -> str:
    """What a certificate says across its face when the credential no longer
    stands: revoked, suspended or expired, with the date."""
    if award.revoked_at:
        when, said = award.revoked_at, "Revoked on"
    elif award.suspended_at:
        when, said = award.suspended_at, "Suspended on"
    elif award.is_expired(timezone.now()):
        when, said = award.expires_at, "Expired on"
    else:
        return ""
    local = timezone.localtime(when).date()
    return f"{said} {formats.date_format(local, 'DATE_FORMAT')}"


def issuer_logo(
    organization: Organization, *, profile: IssuerProfile | None = None
) -> tuple[bytes, str]:
    """The organization's logo and its content type, or empty ones; `profile`
    saves the query when the caller has it (signing_options)."""
    if profile is None:
        profile = IssuerProfile.objects.filter(organization=organization).first()
    if profile is None or not profile.logo:
        return b"", ""
    return bytes(profile.logo), profile.logo_type


def issuer_logo_data_uri(organization: Organization) -> str:
    return certificates.logo_data_uri(*issuer_logo(organization))


def certificate_design(organization: Organization) -> str:
    return certificates.design_key(issuer_logo(organization)[0])


CERTIFICATE_SAMPLES = {"short": "A short certificate", "long": "A crowded certificate"}


def sample_certificate(organization: Organization, variant: str) -> CertificateInfo:
    """Made-up certificates for the design gallery: a short and a crowded one."""
    long = variant == "long"
    return CertificateInfo(
        learner_name="Maria-Fernanda Oyelaran-Vasquez de la Cruz"
        if long
        else "Ada Park",
        achievement_name=(
            "Advanced Data Stewardship for Research-Intensive Organizations"
            if long
            else "Spreadsheet Foundations"
        ),
        achievement_kind="Pathway" if long else "Module",
        organization_name=organization.name,
        issued_on=date(2026, 1, 15),
        credential_id="00000000-0000-4000-8000-000000000000",
        verify_url=f"{settings.SITE_URL}/credentials/00000000-0000-4000-8000-000000000000/",
        credential_json=b"{}",
        description="A sample certificate: nobody was awarded this.",
        outcomes=tuple(
            f"Outcome {n}: plan, carry out and document a piece of real work"
            for n in range(1, (10 if long else 3))
        ),
        level="EQF 5" if long else "",
        credits="30 credits" if long else "5 credits",
        logo_data_uri=issuer_logo_data_uri(organization),
        rubric_results=("Analysis: Proficient", "Presentation: Accomplished"),
    )


def module_completions_without_award() -> QuerySet[ModuleCompletion]:
    return ModuleCompletion.objects.live().filter(awards__isnull=True)


def pathway_completions_without_award() -> QuerySet[PathwayCompletion]:
    return PathwayCompletion.objects.live().filter(awards__isnull=True)


def award_renewed_by(completion: PathwayCompletion) -> Award | None:
    """The latest standing award of the expired completion this one renewed."""
    return (
        Award.objects.filter(
            pathway_completion__learner_id=completion.learner_id,
            pathway_completion__version_id=completion.version_id,
            pathway_completion__renewed_at__isnull=False,
            pathway_completion__completed_at__lt=completion.completed_at,
            revoked_at=None,
        )
        .order_by("-issued_at", "-pk")
        .first()
    )


def learner_awards(learner) -> QuerySet[Award]:
    return Award.objects.filter(learner=learner).select_related("organization")


@dataclass(frozen=True)
class BadgeArt:
    """The achievement's own badge files as the award's version froze them."""

    png: bytes | None = None
    svg: bytes | None = None


def _read(stored) -> bytes | None:
    if not stored:
        return None
    try:
        with stored.open("rb") as handle:
            return handle.read()
    except OSError:  # gone from the disk or the bucket: Cairn's plain art
        return None


def award_badge_art(award: Award) -> BadgeArt:
    """The PNG and SVG of the badge of the version the award was earned for."""
    if award.module_completion_id:
        version = ModuleVersion.objects.get(completions__pk=award.module_completion_id)
    else:
        version = PathwayVersion.objects.get(
            completions__pk=award.pathway_completion_id
        )
    image = _read(version.badge_image)
    is_svg = version.badge_image.name.lower().endswith(".svg")
    png = _read(version.badge_png) or (None if is_svg else image)
    return BadgeArt(png=png, svg=image if is_svg else None)


def linkedin_url(award: Award) -> str:
    """LinkedIn's add-to-profile link for a certification (its documented
    startTask=CERTIFICATION_NAME parameters)."""
    return "https://www.linkedin.com/profile/add?" + urlencode(
        {
            "startTask": "CERTIFICATION_NAME",
            "name": award.achievement_name,
            "organizationName": award.organization.name,
            "issueYear": award.issued_at.year,
            "issueMonth": award.issued_at.month,
            "certUrl": absolute_url(award.get_absolute_url()),
            "certId": str(award.uuid),
        }
    )


_RECORD_SALT = "cairn.credentials.public-record"


def public_record_token(learner) -> str:
    """The unguessable part of a learner's public record address."""
    return signing.dumps(learner.pk, salt=_RECORD_SALT)


def learner_for_record_token(token: str):
    try:
        pk = signing.loads(token, salt=_RECORD_SALT)
    except signing.BadSignature:
        return None
    return get_user_model().objects.filter(pk=pk, is_active=True).first()


def public_awards(learner) -> QuerySet[Award]:
    return (
        Award.objects.filter(learner=learner, is_public=True, revoked_at__isnull=True)
        .select_related("organization")
        .order_by("-issued_at", "pk")
    )


def endorsable_reviews(organization: Organization):
    """Approved reviews of the organization's boards, with any endorsement."""
    from reviews.models import Review

    return (
        Review.objects.filter(
            board__organization=organization, status=Review.Status.APPROVED
        )
        .select_related("board", "endorsement")
        .order_by("-decided_at", "-pk")
    )


def issuer_image_url(
    organization: Organization, *, profile: IssuerProfile | None = None
) -> str:
    if not issuer_logo(organization, profile=profile)[0]:
        return ""
    return absolute_url(reverse("credentials:issuer-logo", args=[organization.slug]))


def issuer_info(
    organization: Organization,
    did: str,
    *,
    with_image: bool = True,
    profile: IssuerProfile | None = None,
) -> openbadges.IssuerInfo:
    """The organization as the issuer Profile of what it signs now; `profile`
    is its signing_options, if the caller has them."""
    return openbadges.IssuerInfo(
        id=did,
        name=organization.name,
        url=organization.url or settings.SITE_URL,
        email=organization.email,
        description=organization.description,
        image_url=issuer_image_url(organization, profile=profile) if with_image else "",
    )


def signing_options(organization: Organization) -> IssuerProfile:
    """How the organization signs: its profile, or the defaults if it has none
    (unsaved)."""
    profile = IssuerProfile.objects.filter(organization=organization).first()
    return profile or IssuerProfile(organization=organization)


def wallet_copies(award: Award) -> QuerySet[WalletCredential]:
    """Where an award was sent: each wallet's DID and when, newest first."""
    return WalletCredential.objects.filter(award=award).only(
        "uuid", "holder_did", "issued_at", "award_id"
    )


# Issuing at a glance, for the admins' home page (a fixed number of queries).

RECENT_DAYS = 7
RECENT_SHOWN = 5


@dataclass(frozen=True)
class IssuingOverview:
    issued_count: int  # in the last RECENT_DAYS days
    issued: list[Award]
    revoked_count: int
    revoked: list[Award]
    # Organizations without a usable signing key, and keys reported compromised.
    without_key: list[Organization]
    compromised_keys: int


def issuing_overview(organizations: QuerySet[Organization]) -> IssuingOverview:
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    awards = Award.objects.filter(organization__in=organizations).select_related(
        "learner", "organization"
    )
    issued = awards.filter(issued_at__gte=since).order_by("-issued_at", "-pk")
    revoked = awards.filter(revoked_at__gte=since).order_by("-revoked_at", "-pk")
    keyed = SigningKey.objects.filter(
        is_active=True, compromised_at__isnull=True, organization=OuterRef("pk")
    )
    # An organization that has issued but has no usable key cannot sign the
    # next award until one is made (a first key is made on first issue).
    without_key = (
        organizations.annotate(keyed=Exists(keyed))
        .filter(keyed=False, awards__isnull=False)
        .distinct()
    )
    issued_items = list(issued[:RECENT_SHOWN])
    revoked_items = list(revoked[:RECENT_SHOWN])
    return IssuingOverview(
        issued_count=issued.count(),
        issued=issued_items,
        revoked_count=revoked.count(),
        revoked=revoked_items,
        without_key=list(without_key),
        compromised_keys=SigningKey.objects.filter(
            organization__in=organizations, compromised_at__isnull=False
        ).count(),
    )
