"""A published pathway as CTDL JSON-LD, beside the module export, and its
schema.org JSON-LD on the pathway page."""

import json
import re

from django.conf import settings
from django.urls import reverse

from pathways import ctdl, rules, services
from tests import builders


def m(code: str) -> dict:
    return {"type": "module", "code": code}


def export(client, version):
    return client.get(reverse("pathways:version-ctdl", args=[version.pk]))


def jsonld_of(html: str) -> dict | None:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(match.group(1)) if match else None


def test_ctdl_export_of_a_published_pathway(client, cast):
    version = builders.make_pathway(cast).version
    response = export(client, version)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    data = response.json()
    assert data["@context"] == "https://credreg.net/ctdl/schema/context/json"
    assert data["@type"] == "ceterms:Certificate"
    assert data["@id"].endswith(f"/pathways/versions/{version.pk}/ctdl.json")
    assert re.fullmatch(r"ce-[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-.{4}-.{12}",
                        data["ceterms:ctid"])  # fmt: skip
    assert data["ceterms:name"] == {"en": "Data pathway"}
    assert data["ceterms:codedNotation"] == "PATH"
    assert data["ceterms:subjectWebpage"].endswith(version.get_absolute_url())
    for key in ("ceterms:ownedBy", "ceterms:offeredBy"):
        assert data[key][0]["@type"] == "ceterms:CredentialOrganization"
        assert data[key][0]["ceterms:name"] == {"en": cast.organization.name}
    assert data["ceterms:versionIdentifier"][0]["ceterms:identifierValueCode"] == "1"
    assert data["ceterms:credentialStatusType"]["ceterms:targetNode"] == (
        "credentialStat:Active"
    )
    assert data["ceterms:dateEffective"] == version.published_at.date().isoformat()
    (requires,) = data["ceterms:requires"]
    assert requires["@type"] == "ceterms:ConditionProfile"
    assert requires["ceterms:description"] == {
        "en": "Complete Module A-101, Module B-102 and Module C-103."
    }
    # Three modules of 5 ECTS credits each.
    assert requires["ceterms:creditValue"][0]["schema:value"] == 15
    assert (
        data["ceterms:creditValue"][0]["ceterms:creditUnitType"][0][
            "ceterms:targetNode"
        ]
        == "creditUnit:ECTSCredit"
    )
    # Stable: the same version gives the same CTID.
    assert export(client, version).json()["ceterms:ctid"] == data["ceterms:ctid"]


def test_the_pathway_points_at_the_modules_ctdl_exports(client, cast):
    version = builders.make_pathway(cast).version
    data = export(client, version).json()
    targets = data["ceterms:requires"][0]["ceterms:targetCredential"]
    assert [t["ceterms:codedNotation"] for t in targets] == ["A-101", "B-102", "C-103"]
    assert data["ceterms:hasPart"] == [t["@id"] for t in targets]
    for target in targets:
        path = target["@id"].removeprefix(settings.SITE_URL)
        module = client.get(path)
        assert module.status_code == 200
        # The same identifiers the module export gives itself.
        assert module.json()["@id"] == target["@id"]
        assert module.json()["ceterms:ctid"] == target["ceterms:ctid"]
        assert module.json()["@type"] == target["@type"] == "ceterms:MicroCredential"
    assert data["ceterms:ctid"] not in {t["ceterms:ctid"] for t in targets}


def test_the_stacking_rule_is_described_in_words_with_known_credits(client, cast):
    for code in ("A", "B", "C", "D"):
        builders.make_module(cast, code)
    version = services.create_pathway_version(
        cast.organization, by=cast["designer"], code="MIX", title="Mixed",
        summary="Two core modules and electives.", valid_for_days=730,
        rule={"type": "all", "children": [
            m("A"), {"type": "any", "n": 1, "children": [m("B"), m("C"), m("D")]},
        ]},
    )  # fmt: skip
    services.publish_pathway_version(version, by=cast["admin"], changelog="First.")
    data = export(client, version).json()
    requires = data["ceterms:requires"][0]
    assert requires["ceterms:description"] == {
        "en": "Complete Module A, and any one of these three: Module B, Module C "
        "and Module D."
    }
    assert requires["ceterms:creditValue"][0]["schema:value"] == 10
    assert len(requires["ceterms:targetCredential"]) == 4
    assert data["ceterms:description"] == {"en": "Two core modules and electives."}
    assert "730 days" in data["ceterms:renewal"][0]["ceterms:description"]["en"]


def test_minimum_credits_are_left_out_where_unknown():
    catalogue = rules.Catalogue(
        modules={c: rules.ModuleInfo(code=c, credits=n) for c, n in
                 (("A", 5), ("B", 10), ("C", 2.5))}
    )  # fmt: skip
    external = {"type": "external", "issuer": "open-u", "achievement": "STATS-1"}
    assert ctdl.minimum_credits({"type": "all", "children": [m("A"), m("B")]},
                                catalogue) == 15  # fmt: skip
    assert (
        ctdl.minimum_credits(
            {"type": "any", "n": 2, "children": [m("A"), m("B"), m("C")]}, catalogue
        )
        == 7.5
    )
    assert (
        ctdl.minimum_credits(
            {"type": "credits", "min": 12, "children": [m("A"), m("B")]}, catalogue
        )
        == 12
    )
    assert ctdl.minimum_credits({"type": "all", "children": [m("A"), external]},
                                catalogue) is None  # fmt: skip
    assert ctdl.minimum_credits(m("UNKNOWN"), catalogue) is None


def test_a_draft_pathway_has_no_ctdl_export(client, cast):
    builders.make_module(cast, "A")
    draft = services.create_pathway_version(
        cast.organization, by=cast["designer"], code="P", title="Draft pathway",
        rule={"type": "all", "children": [m("A")]},
    )  # fmt: skip
    assert export(client, draft).status_code == 404
    client.force_login(cast["stranger"])
    assert export(client, draft).status_code == 404
    # Even its designer, who may read the draft page, gets no export.
    client.force_login(cast["designer"])
    assert client.get(draft.get_absolute_url()).status_code == 200
    assert export(client, draft).status_code == 404
    page = client.get(draft.get_absolute_url()).text
    assert "ctdl.json" not in page
    assert jsonld_of(page) is None
    missing = reverse("pathways:version-ctdl", args=[draft.pk + 1000])
    assert client.get(missing).status_code == 404
    assert client.post(
        reverse("pathways:version-ctdl", args=[draft.pk])
    ).status_code in (404, 405)


def test_the_pathway_page_links_the_export_and_carries_schema_org(client, cast):
    version = builders.make_pathway(cast).version
    export = reverse("pathways:version-ctdl", args=[version.pk])
    # The export is for staff feeding other systems; learners do not see it.
    assert export not in client.get(version.get_absolute_url()).text
    client.force_login(cast["designer"])
    page = client.get(version.get_absolute_url()).text
    assert export in page
    data = jsonld_of(page)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "EducationalOccupationalCredential"
    assert data["name"] == "Data pathway"
    assert data["credentialCategory"] == "Certificate"
    assert data["recognizedBy"]["name"] == cast.organization.name
    assert [p["courseCode"] for p in data["hasPart"]] == ["A-101", "B-102", "C-103"]


def test_pathway_json_ld_cannot_break_out_of_its_script(client, cast):
    builders.make_module(cast, "A")
    version = services.create_pathway_version(
        cast.organization, by=cast["designer"], code="X",
        title="</script><script>alert(1)</script>",
        rule={"type": "all", "children": [m("A")]},
    )  # fmt: skip
    services.publish_pathway_version(version, by=cast["admin"], changelog="First.")
    page = client.get(version.get_absolute_url()).text
    assert "<script>alert(1)" not in page
    assert jsonld_of(page)["name"] == "</script><script>alert(1)</script>"
