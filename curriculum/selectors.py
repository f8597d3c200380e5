import csv
import io
import json
import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import (
    Count,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    TextField,
)
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from curriculum import case
from curriculum.framework_services import CSV_COLUMNS
from curriculum.models import (
    AuditEntry,
    Competency,
    CompetencyFramework,
    ModuleVersion,
    Organization,
    Outcome,
)


def versions_for_staff(
    organizations: QuerySet[Organization],
) -> QuerySet[ModuleVersion]:
    return (
        ModuleVersion.objects.filter(module__organization__in=organizations)
        .select_related("module__organization")
        .order_by("module__organization__name", "module__code", "-number")
    )


def version_detail(pk: int) -> ModuleVersion:
    """A module version with outcomes, alignments, prerequisites, tasks and rubric
    grid, in a fixed number of queries. Tasks are named by their reverse relation
    so that curriculum does not import the assessments app above it."""
    return (
        ModuleVersion.objects.select_related("module__organization")
        .prefetch_related(
            Prefetch(
                "outcomes",
                queryset=Outcome.objects.order_by("position", "pk").prefetch_related(
                    Prefetch(
                        "competencies",
                        queryset=Competency.objects.select_related("framework"),
                    )
                ),
            ),
            "prerequisites",
            "tasks__rubric__criteria__levels",
            "tasks__rubric__criteria__outcomes",
        )
        .get(pk=pk)
    )


def competency_visible(
    competency: Competency, *, organizations: QuerySet[Organization]
) -> bool:
    framework = competency.framework
    return (
        framework.status == CompetencyFramework.Status.PUBLISHED
        or organizations.filter(pk=framework.organization_id).exists()
    )


# The public catalogue ------------------------------------------------------------


def catalogue(
    *,
    q: str = "",
    level: str = "",
    credits_min: Decimal | None = None,
    credits_max: Decimal | None = None,
    competency: str = "",
    organization: Organization | None = None,
) -> QuerySet[ModuleVersion]:
    """The latest published version of each module, filtered, in one query."""
    latest = (
        ModuleVersion.objects.published()
        .filter(module=OuterRef("module"))
        .order_by("-number")
        .values("pk")[:1]
    )
    versions = ModuleVersion.objects.published().filter(pk=Subquery(latest))
    if organization is not None:
        versions = versions.filter(module__organization=organization)
    if level:
        versions = versions.filter(level__iexact=level.strip())
    if credits_min is not None:
        versions = versions.filter(credits__gte=credits_min)
    if credits_max is not None:
        versions = versions.filter(credits__lte=credits_max)
    if competency.strip():
        words = competency.strip()
        aligned = Competency.objects.filter(
            Q(code__istartswith=words) | _words(words, "statement")
        )
        versions = versions.filter(
            pk__in=Outcome.objects.filter(competencies__in=aligned).values("version")
        )
    if q.strip():
        if connection.vendor == "postgresql":
            vector = (
                SearchVector("title", weight="A", config="english")
                + SearchVector("module__code", weight="A", config="simple")
                + SearchVector("summary", weight="B", config="english")
            )
            terms = SearchQuery(q, search_type="websearch", config="english")
            versions = (
                versions.annotate(document=vector, rank=SearchRank(vector, terms))
                .filter(Q(document=terms) | Q(module__code__istartswith=q.strip()))
                .order_by("-rank", "module__code")
            )
        else:
            versions = versions.filter(
                _words(q, "title")
                | _words(q, "summary")
                | Q(module__code__istartswith=q.strip())
            ).order_by("module__code")
    else:
        versions = versions.order_by("module__organization__name", "module__code")
    return versions.select_related("module__organization")


def _words(query: str, field: str) -> Q:
    condition = Q()
    for word in query.split():
        condition &= Q(**{f"{field}__icontains": word})
    return condition


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def script_json(data: object) -> str:
    """JSON safe inside a <script> element."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def ctdl_status(version) -> str:
    """CTDL credential status of a module or pathway version: Active while it is
    the published one, Deprecated once a newer one replaced it or it retired."""
    if version.status == version.Status.PUBLISHED:
        return "credentialStat:Active"
    return "credentialStat:Deprecated"


def _hours(version: ModuleVersion) -> str:
    return f"PT{version.notional_hours}H" if version.notional_hours else ""


def module_schema_org(version: ModuleVersion) -> dict[str, Any]:
    """schema.org Course for a published module version (prefetched)."""
    organization = version.module.organization
    url = absolute_url(version.get_absolute_url())
    course: dict[str, Any] = {
        "@type": "Course",
        "@id": url,
        "url": url,
        "name": version.title,
        "courseCode": version.module.code,
        "description": version.summary or version.title,
        "inLanguage": version.language,
        "provider": {
            "@type": "EducationalOrganization",
            "name": organization.name,
            **({"url": organization.url} if organization.url else {}),
        },
        "numberOfCredits": float(version.credits),
        "educationalCredentialAwarded": {
            "@type": "EducationalOccupationalCredential",
            "name": version.title,
            "credentialCategory": "micro-credential",
            "competencyRequired": version.criteria_narrative or version.title,
        },
    }
    if version.level:
        course["educationalLevel"] = version.level
    if version.notional_hours:
        course["timeRequired"] = _hours(version)
    if version.badge_image:
        course["image"] = absolute_url(version.get_badge_image_url())
    competencies = {
        c.pk: c for o in version.outcomes.all() for c in o.competencies.all()
    }
    if competencies:
        course["teaches"] = [
            {
                "@type": "DefinedTerm",
                "name": c.statement,
                **({"termCode": c.code} if c.code else {}),
                **({"url": c.uri} if c.uri else {}),
                "inDefinedTermSet": c.framework.uri or c.framework.name,
            }
            for c in competencies.values()
        ]
    prerequisites = list(version.prerequisites.all())
    if prerequisites:
        course["coursePrerequisites"] = [m.code for m in prerequisites]
    return course


def module_jsonld(version: ModuleVersion) -> str:
    return script_json({"@context": "https://schema.org", **module_schema_org(version)})


def catalogue_jsonld(versions) -> str:
    return script_json(
        {
            "@context": "https://schema.org",
            "@type": "ItemList",
            "itemListElement": [
                {
                    "@type": "ListItem",
                    "position": n,
                    "url": absolute_url(v.get_absolute_url()),
                    "name": v.title,
                }
                for n, v in enumerate(versions, start=1)
            ],
        }
    )


DELIVERY_TYPES = {
    "online": "deliveryType:OnlineOnly",
    "in_person": "deliveryType:InPerson",
    "blended": "deliveryType:BlendedDelivery",
    "work_based": "deliveryType:InPerson",
}


def module_ctdl(version: ModuleVersion) -> dict[str, Any]:
    """A published module version as a CTDL `ceterms:MicroCredential`
    (https://credreg.net/ctdl/terms), its outcomes' competencies as the
    competencies it requires."""
    organization = version.module.organization
    url = absolute_url(version.get_absolute_url())
    language = version.language or "en"

    def text(value: str) -> dict[str, str]:
        return {language: value}

    ctid = f"ce-{uuid.uuid5(uuid.NAMESPACE_URL, url)}"
    document: dict[str, Any] = {
        "@context": "https://credreg.net/ctdl/schema/context/json",
        "@id": absolute_url(reverse("curriculum:version-ctdl", args=[version.pk])),
        "@type": "ceterms:MicroCredential",
        "ceterms:ctid": ctid,
        "ceterms:name": text(version.title),
        "ceterms:description": text(version.summary or version.title),
        "ceterms:subjectWebpage": url,
        "ceterms:codedNotation": version.module.code,
        "ceterms:inLanguage": [language],
        "ceterms:credentialStatusType": {
            "@type": "ceterms:CredentialAlignmentObject",
            "ceterms:framework": "https://credreg.net/ctdl/terms/CredentialStatus",
            "ceterms:targetNode": ctdl_status(version),
        },
        "ceterms:ownedBy": [
            {
                "@type": "ceterms:CredentialOrganization",
                "ceterms:name": text(organization.name),
                **(
                    {"ceterms:subjectWebpage": organization.url}
                    if organization.url
                    else {}
                ),
            }
        ],
        "ceterms:versionIdentifier": [
            {
                "@type": "ceterms:IdentifierValue",
                "ceterms:identifierTypeName": text("Cairn version"),
                "ceterms:identifierValueCode": str(version.number),
            }
        ],
        "ceterms:creditValue": [
            {
                "@type": "ceterms:ValueProfile",
                "schema:value": float(version.credits),
                "ceterms:creditUnitType": [
                    {
                        "@type": "ceterms:CredentialAlignmentObject",
                        "ceterms:targetNode": "creditUnit:ECTSCredit",
                    }
                ],
            }
        ],
    }
    if version.published_at:
        document["ceterms:dateEffective"] = version.published_at.date().isoformat()
    if version.notional_hours:
        document["ceterms:estimatedDuration"] = [
            {
                "@type": "ceterms:DurationProfile",
                "ceterms:exactDuration": _hours(version),
            }
        ]
    if version.delivery_mode:
        document["ceterms:learningDeliveryType"] = [
            {
                "@type": "ceterms:CredentialAlignmentObject",
                "ceterms:targetNode": DELIVERY_TYPES[version.delivery_mode],
            }
        ]
    if version.level:
        document["ceterms:audienceLevelType"] = [
            {
                "@type": "ceterms:CredentialAlignmentObject",
                "ceterms:targetNodeName": text(version.level),
            }
        ]
    if version.badge_image:
        document["ceterms:image"] = absolute_url(version.get_badge_image_url())
    outcomes = list(version.outcomes.all())
    requires: dict[str, Any] = {
        "@type": "ceterms:ConditionProfile",
        "ceterms:description": text(
            version.criteria_narrative
            or "Demonstrate the outcomes: " + "; ".join(o.statement for o in outcomes)
        ),
    }
    if outcomes:
        requires["ceterms:condition"] = [text(o.statement) for o in outcomes]
    targets = []
    for outcome in outcomes:
        for competency in outcome.competencies.all():
            target: dict[str, Any] = {
                "@type": "ceterms:CredentialAlignmentObject",
                "ceterms:targetNodeName": text(competency.statement),
                "ceterms:frameworkName": text(competency.framework.name),
            }
            if competency.uri:
                target["ceterms:targetNode"] = competency.uri
            if competency.code:
                target["ceterms:codedNotation"] = competency.code
            if competency.framework.uri:
                target["ceterms:framework"] = competency.framework.uri
            targets.append(target)
    if targets:
        requires["ceterms:targetCompetency"] = targets
    document["ceterms:requires"] = [requires]
    prerequisites = list(version.prerequisites.all())
    if prerequisites:
        document["ceterms:recommends"] = [
            {
                "@type": "ceterms:ConditionProfile",
                "ceterms:description": text(
                    "Complete first: " + ", ".join(m.code for m in prerequisites)
                ),
            }
        ]
    return document


# Competency frameworks --------------------------------------------------------


@dataclass(frozen=True)
class Link:
    association_type: str
    label: str
    uri: str


@dataclass(frozen=True)
class TreeNode:
    competency: Competency
    depth: int
    children: int
    links: tuple[Link, ...] = ()


def frameworks_for(user, organizations: QuerySet[Organization]):
    """Published frameworks of every organization, and any framework of the
    organizations where the user works on curriculum, with their item counts."""
    return (
        CompetencyFramework.objects.filter(
            Q(status=CompetencyFramework.Status.PUBLISHED)
            | Q(organization__in=organizations)
        )
        .select_related("organization")
        .annotate(items=Count("competencies"))
        .order_by("organization__name", "name", "pk")
    )


def framework_tree(
    framework: CompetencyFramework, *, with_links: bool = False
) -> list[TreeNode]:
    """The framework's competencies in reading order (each after its parent,
    siblings by position), in one query whatever the size of the tree."""
    competencies = list(
        framework.competencies.only(
            "pk",
            "framework_id",
            "identifier",
            "code",
            "statement",
            "competency_type",
            "education_levels",
            "parent_id",
            "position",
            "uri",
            "notes",
            "language",
        ).order_by("position", "pk")
    )
    children: dict[int | None, list[Competency]] = {}
    for competency in competencies:
        children.setdefault(competency.parent_id, []).append(competency)
    links = _other_links(framework) if with_links else {}
    ordered: list[TreeNode] = []
    stack = [(c, 0) for c in reversed(children.get(None, []))]
    while stack:
        competency, depth = stack.pop()
        kids = children.get(competency.pk, [])
        ordered.append(
            TreeNode(competency, depth, len(kids), tuple(links.get(competency.pk, ())))
        )
        stack.extend((c, depth + 1) for c in reversed(kids))
    return ordered


def _other_links(framework: CompetencyFramework) -> dict[int, list[Link]]:
    """Associations other than the tree (exactMatchOf, precedes, …) by origin,
    in one query."""
    links: dict[int, list[Link]] = {}
    rows = (
        framework.associations.exclude(association_type="isChildOf")
        .select_related("destination")
        .order_by("pk")
    )
    for row in rows:
        target = row.destination
        label = (
            (target.code or target.statement[:80])
            if target is not None
            else row.destination_title or row.destination_identifier
        )
        uri = target.uri if target is not None else row.destination_uri
        links.setdefault(row.origin_id, []).append(
            Link(row.association_type, label, uri)
        )
    return links


def competency_search_match(query: str) -> tuple[dict[str, Any], Q]:
    """PostgreSQL's annotations and filter for a competency search: the
    full-text match on the expression migration 0004 indexes with GIN, or a
    code prefix (the `upper(code) text_pattern_ops` index)."""
    vector = SearchVector("code", weight="A", config="simple") + SearchVector(
        "statement", weight="B", config="english"
    )
    terms = SearchQuery(query, search_type="websearch", config="english")
    annotations = {"document": vector, "rank": SearchRank(vector, terms)}
    return annotations, Q(document=terms) | Q(code__istartswith=query)


def search_competencies(
    query: str, *, organizations: QuerySet[Organization], limit: int = 20
) -> list[Competency]:
    """Competencies matching words of their statement or the start of their code,
    across the published frameworks and those of the given organizations.

    PostgreSQL ranks by full-text search; SQLite (the embedded demo) falls back
    to a case-insensitive match of every word."""
    query = query.strip()
    if not query:
        return []
    visible = Competency.objects.filter(
        Q(framework__status=CompetencyFramework.Status.PUBLISHED)
        | Q(framework__organization__in=organizations)
    ).select_related("framework__organization")
    by_code = Q(code__istartswith=query)
    if connection.vendor == "postgresql":
        annotations, match = competency_search_match(query)
        matches = (
            visible.annotate(**annotations)
            .filter(match)
            .order_by("-rank", "code", "pk")
        )
    else:
        words = Q()
        for word in query.split():
            words &= Q(statement__icontains=word)
        matches = visible.filter(words | by_code).order_by("code", "pk")
    return list(matches[:limit])


def case_data(framework: CompetencyFramework) -> case.PackageData:
    """The framework as stored, in the form a CASE package is read into, in
    three queries."""
    items = [
        case.ItemData(
            identifier=c.identifier,
            uri=c.uri,
            statement=c.statement,
            code=c.code,
            abbreviated_statement=c.abbreviated_statement,
            competency_type=c.competency_type,
            education_levels=c.education_levels,
            language=c.language,
            notes=c.notes,
            case_fields=c.case_fields,
        )
        for c in framework.competencies.order_by("depth", "position", "pk")
    ]
    associations = [
        case.AssociationData(
            identifier=a.identifier,
            uri=a.uri,
            association_type=a.association_type,
            origin_identifier=a.origin_identifier,
            destination_identifier=a.destination_identifier,
            destination_uri=a.destination_uri,
            destination_title=a.destination_title,
            sequence_number=a.sequence_number,
            case_fields=a.case_fields,
        )
        for a in framework.associations.annotate(
            origin_identifier=F("origin__identifier")
        ).order_by("pk")
    ]
    return case.PackageData(
        _document_data(framework), items, associations, framework.definitions, []
    )


def case_package(
    framework: CompetencyFramework, *, case_version: str = "1.1"
) -> dict[str, Any]:
    """The framework as a CASE CFPackage, in three queries."""
    data = case_data(framework)
    return case.build_package(
        data.document,
        data.items,
        data.associations,
        data.definitions,
        case_version=case_version,
        last_change=framework.updated_at.isoformat(timespec="seconds"),
    )


def competencies_csv(framework: CompetencyFramework) -> str:
    """The framework's competencies in the documented CSV columns."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    parents = dict(framework.competencies.values_list("pk", "identifier"))
    for node in framework_tree(framework):
        c = node.competency
        writer.writerow(
            [
                c.identifier,
                c.code,
                c.statement,
                c.competency_type,
                parents.get(c.parent_id, ""),
                "; ".join(c.education_levels),
                c.uri,
                c.notes,
                c.language,
            ]
        )
    return buffer.getvalue()


def _document_data(framework: CompetencyFramework) -> dict[str, Any]:
    return {
        "identifier": framework.identifier,
        "uri": framework.uri,
        "name": framework.name,
        "creator": framework.creator or framework.organization.name,
        "description": framework.description,
        "version": framework.version,
        "language": framework.language,
        "case_fields": framework.case_fields,
    }


def case_documents() -> list[dict[str, Any]]:
    """The CFDocuments of every published framework, for the CASE service's
    `CFDocuments` endpoint, in one query."""
    frameworks = (
        CompetencyFramework.objects.filter(status=CompetencyFramework.Status.PUBLISHED)
        .select_related("organization")
        .order_by("name", "pk")
    )
    return [
        case.build_package(
            _document_data(framework),
            [],
            [],
            {},
            last_change=framework.updated_at.isoformat(timespec="seconds"),
        )["CFDocument"]
        for framework in frameworks
    ]


# ------------------------------------------------------------------ audit trail

AUDIT_SYSTEM_NAME = "Cairn"  # who an entry without an actor shows: the worker

# The part of an action before its first dot, in words, for the area filter.
AUDIT_AREAS = {
    "award": "Credentials",
    "board": "Advisory boards",
    "calibration": "Calibration",
    "cohort": "Cohorts",
    "competency": "Competencies",
    "completion": "Module completions",
    "endorsement": "Endorsements",
    "enrolment": "Enrolments",
    "equivalence": "Equivalences",
    "framework": "Competency frameworks",
    "grade": "Grade changes",
    "grades": "Grade imports",
    "issuer": "Issuer profile",
    "key": "Signing keys",
    "member": "Members",
    "module": "Module stacking",
    "outcome": "Outcomes",
    "pathway": "Pathway completions",
    "recognition": "Recognition of prior learning",
    "reevaluation": "Re-evaluations",
    "review": "Reviews",
    "rubric": "Rubrics",
    "rule": "Pathway rules",
    "submission": "Submissions and marking",
    "task": "Assessment tasks",
    "version": "Versions",
}

# The actions the services log (grep "log_action("), in words; any other
# action is shown as it was logged.
AUDIT_ACTIONS = {
    "award.issued": "Issued a credential",
    "award.revoked": "Revoked a credential",
    "award.suspended": "Suspended a credential",
    "award.reinstated": "Reinstated a credential",
    "award.wallet_request_created": "Asked to send a credential to a wallet",
    "award.sent_to_wallet": "Sent a credential to a wallet",
    "board.created": "Created an advisory board",
    "board.member_invited": "Invited a board member",
    "board.member_joined": "Joined the advisory board",
    "calibration.anchor_set": "Set a calibration anchor",
    "calibration.graded": "Graded a calibration sample",
    "cohort.created": "Created a cohort",
    "cohort.member_added": "Added someone to a cohort",
    "cohort.member_removed": "Removed someone from a cohort",
    "cohort.moved": "Moved a cohort to another pathway version",
    "competency.added": "Added a competency",
    "competency.updated": "Edited a competency",
    "competency.removed": "Removed a competency",
    "completion.recorded": "Recorded a module completion",
    "completion.voided": "Voided a module completion",
    "endorsement.issued": "Issued an endorsement",
    "enrolment.created": "Enrolled in a pathway",
    "equivalence.approved": "Approved an equivalence",
    "equivalence.withdrawn": "Withdrew an equivalence",
    "framework.created": "Created a competency framework",
    "framework.updated": "Edited a competency framework",
    "framework.published": "Published a competency framework",
    "framework.imported": "Imported a competency framework",
    "framework.updated_from_case": "Updated a competency framework from CASE",
    "framework.deleted": "Deleted a competency framework",
    "framework.import_started": "Uploaded a competency framework to import",
    "grade.changed": "Changed a grade",
    "grades.imported": "Imported grades",
    "grades.import_started": "Uploaded grades to import",
    "issuer.details_changed": "Changed the issuer details",
    "issuer.logo_changed": "Changed the issuer logo",
    "issuer.signing_changed": "Changed how credentials are signed",
    "key.created": "Made a signing key",
    "key.rotated": "Rotated the signing key",
    "key.compromised": "Reported a signing key compromised",
    "member.added": "Added a member",
    "module.stacking": "Set a module's stacking tags and prerequisite",
    "outcome.added": "Added an outcome",
    "outcome.updated": "Edited an outcome",
    "outcome.moved": "Moved an outcome",
    "outcome.removed": "Removed an outcome",
    "outcome.aligned": "Aligned an outcome to a competency",
    "outcome.unaligned": "Removed an outcome's competency",
    "pathway.completed": "Recorded a pathway completion",
    "pathway.recertified": "Recertified a pathway completion",
    "pathway.voided": "Voided a pathway completion",
    "recognition.accepted": "Accepted prior learning",
    "recognition.declined": "Declined prior learning",
    "reevaluation.started": "Started re-evaluating a cohort",
    "review.submitted": "Sent a version to the advisory board",
    "review.interest_declared": "Declared interests in a review",
    "review.commented": "Commented in a review",
    "review.comment_answered": "Answered a review comment",
    "review.comment_resolved": "Resolved a review comment",
    "review.voted": "Voted in a review",
    "review.decided": "Decided a review",
    "review.withdrawn": "Withdrew a review",
    "rubric.policy_set": "Set a rubric's kind and pass policy",
    "rubric.criterion_added": "Added a rubric criterion",
    "rubric.criterion_changed": "Edited a rubric criterion",
    "rubric.criterion_removed": "Removed a rubric criterion",
    "rubric.criterion_moved": "Moved a rubric criterion",
    "rubric.level_added": "Added a rubric level",
    "rubric.level_renamed": "Renamed a rubric level",
    "rubric.level_removed": "Removed a rubric level",
    "rubric.level_moved": "Moved a rubric level",
    "rubric.cell_changed": "Edited a rubric cell",
    "rubric.copied": "Copied a rubric",
    "rule.updated": "Changed a pathway rule",
    "submission.submitted": "Submitted evidence",
    "submission.graded": "Graded a submission",
    "submission.first_marked": "First-marked a submission",
    "submission.second_marked": "Second-marked a submission",
    "submission.sent_to_moderation": "Sent a submission to moderation",
    "submission.moderated": "Moderated a submission",
    "task.created": "Created an assessment task",
    "task.updated": "Edited an assessment task",
    "task.marking_policy_set": "Set a task's marking policy",
    "version.created": "Created a version",
    "version.updated": "Edited a version",
    "version.drafted": "Started a new draft from a version",
    "version.returned": "Sent a version back to draft",
    "version.submitted": "Submitted a version for review",
    "version.approved": "Approved a version",
    "version.published": "Published a version",
    "version.retired": "Retired a version",
}

# Objects whose page is addressed by their primary key: linked from the entry
# with no query. Others (awards are addressed by uuid) are linked only when the
# entry's data names them, or not at all.
_AUDIT_OBJECT_URLS = {
    "curriculum.ModuleVersion": "curriculum:version-detail",
    "curriculum.CompetencyFramework": "curriculum:framework-detail",
    "curriculum.FrameworkImport": "curriculum:import-detail",
    "reviews.AdvisoryBoard": "reviews:board-detail",
    "reviews.Review": "reviews:review-detail",
    "assessments.AssessmentTask": "assessments:task-detail",
    "assessments.Submission": "assessments:submission-detail",
    "assessments.Cohort": "assessments:cohort-detail",
    "assessments.GradeImport": "assessments:grade-import-detail",
    "pathways.PathwayVersion": "pathways:version-detail",
}
# Objects shown on the organization's own issuer pages.
_AUDIT_ISSUER_URLS = {
    "credentials.SigningKey": "credentials:issuer",
    "credentials.IssuerProfile": "credentials:issuer",
    "curriculum.Organization": "credentials:issuer",
    "credentials.Endorsement": "credentials:endorsements",
}


@dataclass(frozen=True)
class AuditRow:
    at: Any
    who: str
    username: str
    by_system: bool
    action: str
    words: str
    object_type: str
    object_id: str
    object_label: str
    url: str
    details: tuple[tuple[str, str], ...]
    reason: str


def audit_trail(
    organization: Organization,
    *,
    area: str = "",
    person: str = "",
    since: date | None = None,
    until: date | None = None,
    text: str = "",
) -> QuerySet[AuditEntry]:
    """The organization's audit entries, newest first, with their actors.

    `area` is an action's prefix ("award", "key"); every word of `person` must
    match the actor's username, first or last name, and "Cairn" finds what the
    system did; `since` and `until` are days in the current time zone, both
    included; every word of `text` must appear in the entry's data."""
    entries = AuditEntry.objects.filter(organization=organization).select_related(
        "actor"
    )
    if area:
        entries = entries.filter(action__startswith=f"{area}.")
    if person.strip().casefold() == AUDIT_SYSTEM_NAME.casefold():
        entries = entries.filter(actor__isnull=True)
    else:
        for word in person.split():
            entries = entries.filter(
                Q(actor__username__icontains=word)
                | Q(actor__first_name__icontains=word)
                | Q(actor__last_name__icontains=word)
            )
    if since:
        entries = entries.filter(at__gte=_start_of_day(since))
    if until:
        entries = entries.filter(at__lt=_start_of_day(until + timedelta(days=1)))
    if text.split():
        # The JSON as text: one code path on PostgreSQL (jsonb::text) and SQLite
        # (the stored JSON), where a lookup on the JSON column itself differs.
        entries = entries.annotate(data_text=Cast("data", TextField()))
        for word in text.split():
            entries = entries.filter(data_text__icontains=word)
    return entries.order_by("-at", "-pk")


def _start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_areas(organization: Organization) -> list[tuple[str, str]]:
    """(prefix, words) for each area the organization's entries fall in."""
    actions = (
        AuditEntry.objects.filter(organization=organization)
        .order_by()  # the model's ordering would defeat DISTINCT
        .values_list("action", flat=True)
        .distinct()
    )
    prefixes = {action.split(".", 1)[0] for action in actions}
    return sorted(
        ((prefix, AUDIT_AREAS.get(prefix, prefix)) for prefix in prefixes),
        key=lambda choice: choice[1].casefold(),
    )


# Keys of an entry's data that hold a user's id; shown as the person's name.
AUDIT_PERSON_KEYS = frozenset({"learner", "user", "grader", "member", "moderator"})
AUDIT_BATCH = 500


def _entry_data(entry: AuditEntry) -> dict:
    return entry.data if isinstance(entry.data, dict) else {"data": entry.data}


def _people_named_in(entries: list[AuditEntry]) -> dict[int, str]:
    """The people the entries' data names by id, in one query: "Name (username)"."""
    ids = {
        value
        for entry in entries
        for key, value in _entry_data(entry).items()
        if key in AUDIT_PERSON_KEYS and isinstance(value, int)
    }
    if not ids:
        return {}
    found = get_user_model().objects.filter(pk__in=ids)
    return {
        user.pk: f"{user.get_full_name()} ({user.username})"
        if user.get_full_name()
        else user.username
        for user in found.only("pk", "username", "first_name", "last_name")
    }


def audit_rows(
    entries: Iterable[AuditEntry], organization: Organization
) -> Iterator[AuditRow]:
    """The entries in words, for the page and the CSV, in batches: each batch
    reads the people its details name in one query, so any number of entries
    takes a bounded number of queries per batch."""
    batch: list[AuditEntry] = []
    for entry in entries:
        batch.append(entry)
        if len(batch) == AUDIT_BATCH:
            yield from _rows_of(batch, organization)
            batch = []
    if batch:
        yield from _rows_of(batch, organization)


def _rows_of(batch: list[AuditEntry], organization: Organization) -> list[AuditRow]:
    people = _people_named_in(batch)
    return [audit_row(entry, organization, people=people) for entry in batch]


def audit_row(
    entry: AuditEntry,
    organization: Organization,
    *,
    people: dict[int, str] | None = None,
) -> AuditRow:
    """One entry in words; `people` names the ids its data holds (see
    audit_rows), otherwise they show as numbers."""
    people = people or {}
    actor = entry.actor
    data = _entry_data(entry)
    reason = data.get("reason")
    return AuditRow(
        at=entry.at,
        who=(actor.get_full_name() or actor.username) if actor else AUDIT_SYSTEM_NAME,
        username=actor.username if actor else "",
        by_system=actor is None,
        action=entry.action,
        words=AUDIT_ACTIONS.get(entry.action, entry.action),
        object_type=entry.object_type,
        object_id=entry.object_id,
        object_label=f"{_model_words(entry.object_type)} {entry.object_id}",
        url=_audit_url(entry, data, organization),
        details=tuple(
            (
                key.replace("_", " "),
                people.get(value, _detail_text(value))
                if key in AUDIT_PERSON_KEYS and isinstance(value, int)
                else _detail_text(value),
            )
            for key, value in data.items()
        ),
        reason=reason if isinstance(reason, str) else "",
    )


def _model_words(label: str) -> str:
    """ "credentials.SigningKey" -> "Signing key"."""
    name = label.rpartition(".")[2]
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name)
    return words[:1] + words[1:].lower()


def _audit_url(entry: AuditEntry, data: dict, organization: Organization) -> str:
    if name := _AUDIT_OBJECT_URLS.get(entry.object_type):
        return (
            reverse(name, args=[entry.object_id]) if entry.object_id.isdigit() else ""
        )
    if name := _AUDIT_ISSUER_URLS.get(entry.object_type):
        return reverse(name, args=[organization.slug])
    award = data.get("award")
    if entry.action.startswith("award.") and isinstance(award, str):
        try:
            return reverse("credentials:verify", args=[uuid.UUID(award)])
        except ValueError:
            return ""
    return ""


def _detail_text(value: object) -> str:
    if value is None or value in ("", [], {}):
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_detail_text(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_detail_text(v) for v in value)
    return str(value)


AUDIT_CSV_HEADER = [
    "when",
    "who",
    "username",
    "action",
    "what",
    "object type",
    "object id",
    "reason",
    "details",
]


def audit_csv_rows(
    entries: QuerySet[AuditEntry], organization: Organization
) -> Iterator[list[str]]:
    """The header, then one row per entry, read in chunks so that any number
    of entries streams in bounded memory."""
    yield AUDIT_CSV_HEADER
    for row in audit_rows(entries.iterator(chunk_size=AUDIT_BATCH), organization):
        yield [
            timezone.localtime(row.at).isoformat(),
            row.who,
            row.username,
            row.action,
            row.words,
            row.object_type,
            row.object_id,
            row.reason,
            "\n".join(
                f"{key}: {value}" for key, value in row.details if key != "reason"
            ),
        ]
