"""Updating a framework from its CASE source through the API: a preview that
changes nothing, then applying it with the preview's digest, through the
update page's services."""

import copy
import json

import pytest

from accounts.models import AuditEntry
from curriculum import framework_services, selectors
from tests.curriculum.test_case_conformance import package_json
from tests.curriculum.test_framework_lifecycle import align, newer
from tests.integrations.conftest import bearer, personal_token


@pytest.fixture
def imported(cast):
    return framework_services.import_case_package(
        cast.organization, by=None, raw=json.dumps(package_json())
    ).framework


@pytest.fixture
def api(cast):
    return bearer(personal_token(cast["designer"], name="standards"))


def _urls(framework) -> tuple[str, str]:
    base = f"/api/frameworks/{framework.pk}/case-update/"
    return base + "preview/", base


def test_preview_then_apply_with_its_digest(api, imported):
    preview_url, apply_url = _urls(imported)
    package = newer(package_json())
    before = selectors.case_package(imported)
    preview = api.post(preview_url, {"package": package}, format="json")
    assert preview.status_code == 200, preview.json()
    plan = preview.json()
    assert [i["statement"] for i in plan["added"]] == ["A new item in version 2"]
    assert len(plan["removed"]) == 1
    assert plan["changed"]
    assert plan["blocked"] == []
    assert selectors.case_package(imported) == before  # a preview changes nothing

    applied = api.post(
        apply_url, {"package": package, "digest": plan["digest"]}, format="json"
    )
    assert applied.status_code == 200, applied.json()
    imported.refresh_from_db()
    assert imported.version == "2.0"
    assert imported.competencies.filter(statement="A new item in version 2").exists()
    entry = AuditEntry.objects.get(action="framework.updated_from_case")
    assert entry.data["via"].startswith("token standards (")


def test_bad_updates_are_400s_that_change_nothing(api, cast, imported):
    preview_url, apply_url = _urls(imported)
    package = newer(package_json())
    digest = api.post(preview_url, {"package": package}, format="json").json()["digest"]
    other = copy.deepcopy(package)
    other["CFDocument"]["identifier"] = "0b9c5f0e-1d5c-4a39-9a53-5b8e3c0c7aff"
    removed = next(c for c in imported.competencies.all() if c.code == "F.2.3")
    before = (selectors.case_package(imported), AuditEntry.objects.count())
    refused = [
        api.post(preview_url, {"package": other}, format="json"),
        api.post(preview_url, {"package": ["not", "a", "package"]}, format="json"),
        api.post(apply_url, {"package": package, "digest": "stale"}, format="json"),
        api.post(apply_url, {"package": package}, format="json"),
    ]
    assert [r.status_code for r in refused] == [400] * 4, [r.json() for r in refused]
    assert (selectors.case_package(imported), AuditEntry.objects.count()) == before
    # An outcome aligned to a competency the update removes blocks it.
    align(cast, removed)
    plan = api.post(preview_url, {"package": package}, format="json").json()
    assert plan["blocked"]
    blocked = api.post(apply_url, {"package": package, "digest": digest}, format="json")
    assert blocked.status_code == 400


def test_only_the_framework_s_maintainers(cast, imported):
    preview_url, apply_url = _urls(imported)
    package = newer(package_json())
    for user in (cast["faculty"], cast["learner"], cast["outside_faculty"]):
        api = bearer(personal_token(user))
        assert api.post(
            preview_url, {"package": package}, format="json"
        ).status_code in (
            403,
            404,
        )
    reader = bearer(personal_token(cast["designer"], "read"))
    digest = reader.post(preview_url, {"package": package}, format="json").json()[
        "digest"
    ]
    answer = reader.post(
        apply_url, {"package": package, "digest": digest}, format="json"
    )
    assert answer.status_code == 403
    imported.refresh_from_db()
    assert imported.version != "2.0"
