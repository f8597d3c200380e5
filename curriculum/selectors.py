import io
import json
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
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
)
from django.urls import reverse

from accounts import csvsafe
from accounts.models import Organization
from curriculum import case
from curriculum.framework_services import CSV_COLUMNS
from curriculum.models import Competency, CompetencyFramework, ModuleVersion, Outcome


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
    writer = csvsafe.writer(buffer)
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


def titles_by_code(
    version_model, parent: str, organization: Organization, codes
) -> dict[str, str]:
    """code → the title of its latest version, for modules (`ModuleVersion`,
    "module") or, from a layer that may name them, pathways: how a diff or a
    rule names what it refers to."""
    if not codes:
        return {}
    rows = (
        version_model.objects.filter(
            **{f"{parent}__organization": organization, f"{parent}__code__in": codes}
        )
        .order_by("number")
        .values_list(f"{parent}__code", "title")
    )
    return dict(rows)  # the latest number last, so its title stays
