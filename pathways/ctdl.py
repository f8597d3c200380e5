"""A published pathway version as CTDL JSON-LD (Credential Engine's ceterms:
vocabulary, https://credreg.net/ctdl/terms), beside curriculum's module export,
and its schema.org summary for the pathway page."""

import uuid
from typing import Any

from django.urls import reverse

from curriculum.models import ModuleVersion
from curriculum.selectors import absolute_url, ctdl_status, script_json
from pathways import rules, selectors
from pathways.models import PathwayVersion

LANGUAGE = "en"


def ctid_for(page_url: str) -> str:
    """A stable CTID from a version page's address, as the module export does."""
    return f"ce-{uuid.uuid5(uuid.NAMESPACE_URL, page_url)}"


def minimum_credits(rule: dict, catalogue: rules.Catalogue) -> float | None:
    """The fewest credits a learner earns on the way to the credential, or None
    where a part of the rule carries no known credits (outside achievements)."""
    kind = rule.get("type")
    if kind == "module":
        info = catalogue.modules.get(rule["code"])
        return float(info.credits) if info and info.credits else None
    if kind == "credits":
        return float(rule["min"])
    if kind == "pathway":
        nested = catalogue.pathways.get(rule["code"])
        return minimum_credits(nested, catalogue) if nested else None
    if kind == "external":
        return None
    parts = [minimum_credits(c, catalogue) for c in rule.get("children", [])]
    if kind == "any":
        known = sorted(p for p in parts if p is not None)
        if len(known) < len(parts):
            return None
        return sum(known[: int(rule["n"])])
    if not parts or any(p is None for p in parts):
        return None
    return sum(parts)


def _module_reference(version: ModuleVersion) -> dict[str, Any]:
    return {
        "@id": absolute_url(reverse("curriculum:version-ctdl", args=[version.pk])),
        "@type": "ceterms:MicroCredential",
        "ceterms:ctid": ctid_for(absolute_url(version.get_absolute_url())),
        "ceterms:name": {version.language or LANGUAGE: version.title},
        "ceterms:codedNotation": version.module.code,
    }


def pathway_ctdl(version: PathwayVersion) -> dict[str, Any]:
    """A published pathway version as a CTDL `ceterms:Certificate` whose
    `ceterms:requires` condition states the stacking rule in words and points
    at the CTDL exports of the modules it stacks."""
    organization = version.organization
    url = absolute_url(version.get_absolute_url())
    found = selectors.catalogue_for(organization)

    def text(value: str) -> dict[str, str]:
        return {LANGUAGE: value}

    codes = list(dict.fromkeys(rules.module_codes(version.rule)))
    published = selectors.latest_published_modules(
        {(organization.pk, c) for c in codes}
    )
    modules = [
        published[(organization.pk, c)]
        for c in codes
        if (organization.pk, c) in published
    ]
    owner: dict[str, Any] = {
        "@type": "ceterms:CredentialOrganization",
        "ceterms:name": text(organization.name),
    }
    if organization.url:
        owner["ceterms:subjectWebpage"] = organization.url
    if organization.description:
        owner["ceterms:description"] = text(organization.description)
    summary = rules.describe(version.rule, found.catalogue)
    document: dict[str, Any] = {
        "@context": "https://credreg.net/ctdl/schema/context/json",
        "@id": absolute_url(reverse("pathways:version-ctdl", args=[version.pk])),
        "@type": "ceterms:Certificate",
        "ceterms:ctid": ctid_for(url),
        "ceterms:name": text(version.title),
        "ceterms:description": text(version.summary or version.title),
        "ceterms:subjectWebpage": url,
        "ceterms:codedNotation": version.code,
        "ceterms:inLanguage": [LANGUAGE],
        "ceterms:credentialStatusType": {
            "@type": "ceterms:CredentialAlignmentObject",
            "ceterms:framework": "https://credreg.net/ctdl/terms/CredentialStatus",
            "ceterms:targetNode": ctdl_status(version),
        },
        "ceterms:ownedBy": [owner],
        "ceterms:offeredBy": [owner],
        "ceterms:versionIdentifier": [
            {
                "@type": "ceterms:IdentifierValue",
                "ceterms:identifierTypeName": text("Cairn version"),
                "ceterms:identifierValueCode": str(version.number),
            }
        ],
    }
    if version.published_at:
        document["ceterms:dateEffective"] = version.published_at.date().isoformat()
    if version.valid_for_days:
        document["ceterms:renewal"] = [
            {
                "@type": "ceterms:ConditionProfile",
                "ceterms:description": text(
                    f"The credential is valid for {version.valid_for_days} days, "
                    "then the holder recertifies."
                ),
            }
        ]
    requires: dict[str, Any] = {
        "@type": "ceterms:ConditionProfile",
        "ceterms:name": text("Stacking rule"),
        "ceterms:description": text(summary),
    }
    if modules:
        requires["ceterms:targetCredential"] = [_module_reference(m) for m in modules]
    credits = minimum_credits(version.rule, found.catalogue)
    if credits:
        value = {
            "@type": "ceterms:ValueProfile",
            "schema:value": credits,
            "ceterms:creditUnitType": [
                {
                    "@type": "ceterms:CredentialAlignmentObject",
                    "ceterms:targetNode": "creditUnit:ECTSCredit",
                }
            ],
        }
        requires["ceterms:creditValue"] = [value]
        document["ceterms:creditValue"] = [value]
    document["ceterms:requires"] = [requires]
    if modules:
        document["ceterms:hasPart"] = [
            absolute_url(reverse("curriculum:version-ctdl", args=[m.pk]))
            for m in modules
        ]
    return document


def pathway_jsonld(version: PathwayVersion) -> str:
    """schema.org `EducationalOccupationalCredential` for the pathway page."""
    organization = version.organization
    codes = list(dict.fromkeys(rules.module_codes(version.rule)))
    published = selectors.latest_published_modules(
        {(organization.pk, c) for c in codes}
    )
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "EducationalOccupationalCredential",
        "@id": absolute_url(version.get_absolute_url()),
        "url": absolute_url(version.get_absolute_url()),
        "name": version.title,
        "description": version.summary or version.title,
        "identifier": version.code,
        "version": str(version.number),
        "credentialCategory": "Certificate",
    }
    issuer = {
        "@type": "Organization",
        "name": organization.name,
        **({"url": organization.url} if organization.url else {}),
    }
    data["provider"] = issuer
    data["recognizedBy"] = issuer
    if version.valid_for_days:
        data["validFor"] = f"P{version.valid_for_days}D"
    if published:
        data["hasPart"] = [
            {
                "@type": "Course",
                "courseCode": code,
                "name": module.title,
                "url": absolute_url(module.get_absolute_url()),
            }
            for code in codes
            if (module := published.get((organization.pk, code)))
        ]
    return script_json(data)
