"""A draft version's badge through the API, for module and pathway drafts:
uploaded, drawn from a design, removed, through the badge designer's
services; bad images and designs are 400s that change nothing."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import AuditEntry
from curriculum.models import ModuleVersion
from integrations.tokens import services as tokens
from pathways import services as pathways
from tests import builders
from tests.curriculum.test_badge_designer import DESIGN, png
from tests.integrations.conftest import bearer, personal_token, service_token


def _url(version, rest: str = "") -> str:
    kind = "module" if isinstance(version, ModuleVersion) else "pathway"
    return f"/api/{kind}-versions/{version.pk}/badge/{rest}"


def _upload(api, version, name: str, data: bytes):
    return api.put(
        _url(version),
        {"image": SimpleUploadedFile(name, data)},
        format="multipart",
    )


def badge(version) -> tuple:
    version.refresh_from_db()
    return (version.badge_image.name, version.badge_png.name, version.badge_design)


@pytest.fixture(params=["module", "pathway"])
def draft(request, cast):
    if request.param == "module":
        return builders.make_module(cast, "VIZ-1", publish=False).version
    builders.make_module(cast, "SHEET-1")
    return pathways.create_pathway_version(
        cast.organization,
        by=cast["designer"],
        code="PATH-1",
        title="Data path",
        rule=pathways.all_of(["SHEET-1"]),
    )


@pytest.fixture
def api(cast):
    return bearer(personal_token(cast["designer"], name="art"))


def test_a_design_draws_the_badge_and_names_the_token(api, draft):
    answer = api.put(_url(draft, "design/"), DESIGN, format="json")
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["design"]["shape"] == "hexagon"
    assert body["image"].endswith("badge-image")
    assert body["png"].endswith("badge.png")
    assert badge(draft)[0].endswith(".svg")
    entry = AuditEntry.objects.get(action="version.badge_designed")
    assert entry.data["via"].startswith("token art (")


def test_an_upload_replaces_the_design_and_removing_clears_it(api, draft):
    api.put(_url(draft, "design/"), DESIGN, format="json")
    answer = _upload(api, draft, "badge.png", png())
    assert answer.status_code == 200, answer.json()
    assert answer.json()["design"] == {}
    assert answer.json()["png"] is not None
    assert badge(draft)[0].endswith(".png")
    removed = api.delete(_url(draft))
    assert removed.status_code == 200
    assert removed.json() == {"image": None, "png": None, "design": {}}
    assert badge(draft) == ("", "", {})
    assert AuditEntry.objects.filter(action="version.badge_removed").exists()


def test_bad_images_and_designs_are_400s_that_change_nothing(api, draft):
    api.put(_url(draft, "design/"), DESIGN, format="json")
    before = (badge(draft), AuditEntry.objects.count())
    refused = [
        _upload(api, draft, "badge.png", b"not an image"),
        _upload(api, draft, "page.svg", b"<html><script>alert(1)</script></html>"),
        api.put(_url(draft), {}, format="multipart"),
        api.put(_url(draft, "design/"), {**DESIGN, "shape": "star"}, format="json"),
        api.put(_url(draft, "design/"), {**DESIGN, "ink": "red"}, format="json"),
        api.put(_url(draft, "design/"), {**DESIGN, "icon": "nope"}, format="json"),
        api.put(
            _url(draft, "design/"), {**DESIGN, "icon": "", "text": ""}, format="json"
        ),
    ]
    assert [r.status_code for r in refused] == [400] * len(refused)
    assert (badge(draft), AuditEntry.objects.count()) == before


def test_a_published_version_keeps_its_badge(api, cast):
    published = builders.make_module(cast, "PUB-1").version
    before = badge(published)
    answers = [
        api.put(_url(published, "design/"), DESIGN, format="json"),
        _upload(api, published, "badge.png", png()),
        api.delete(_url(published)),
    ]
    assert all(a.status_code in (400, 403) for a in answers), answers
    assert badge(published) == before


@pytest.mark.parametrize("who", ["reviewer", "learner", "other-organization", "read"])
def test_no_one_else_changes_the_badge(cast, draft, who):
    if who == "other-organization":
        account = tokens.create_service_account(
            cast.other_organization,
            by=cast["outside_faculty"],
            name="Theirs",
            roles=list(tokens.SERVICE_ROLES),
        )
        api = bearer(service_token(account, cast["outside_faculty"]))
    elif who == "read":
        api = bearer(personal_token(cast["designer"], "read"))
    else:
        api = bearer(personal_token(cast[who]))
    before = (badge(draft), AuditEntry.objects.count())
    answers = [
        api.generic(
            "PUT",
            _url(draft, "design/"),
            json.dumps(DESIGN),
            content_type="application/json",
        ),
        _upload(api, draft, "badge.png", png()),
        api.delete(_url(draft)),
    ]
    assert {a.status_code for a in answers} <= {403, 404}, answers
    assert (badge(draft), AuditEntry.objects.count()) == before
