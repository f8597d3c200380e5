"""Cairn's API with personal access tokens and service-account tokens: a
representative call per app, the scopes, the roles behind them, the limits and
the audit trail."""

import pytest
from django.test import Client

from accounts.models import AuditEntry
from credentials.models import Award
from curriculum.models import CompetencyFramework, ModuleVersion
from integrations.models import ApiToken
from tests import builders
from tests.integrations.conftest import bearer, personal_token, service_token


@pytest.fixture
def issued(cast, pathway, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        builders.submit_and_pass(pathway.tasks[0], cast["learner"], cast["faculty"])
    return Award.objects.get()


def test_a_token_acts_as_its_person_and_is_named_in_the_audit_trail(cast):
    api = bearer(personal_token(cast["designer"], "read", "admin", name="CI"))
    created = api.post(
        "/api/module-versions/",
        {"organization": cast.organization.slug, "code": "TOK-1", "title": "By token"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    version = ModuleVersion.objects.get(pk=created.json()["id"])
    entry = AuditEntry.objects.get(action="version.created", object_id=version.pk)
    assert entry.actor == cast["designer"]
    token = ApiToken.objects.get(name="CI")
    assert entry.data["via"] == f"token CI ({token.prefix}…)"
    assert token.last_used_at is not None


def test_the_token_name_does_not_outlive_its_request(cast):
    bearer(personal_token(cast["designer"], "read", "admin")).post(
        "/api/module-versions/",
        {"organization": cast.organization.slug, "code": "TOK-1", "title": "T"},
        format="json",
    )
    browser = Client()
    browser.force_login(cast["designer"])
    response = browser.post(
        "/api/module-versions/",
        {"organization": cast.organization.slug, "code": "TOK-2", "title": "T"},
        content_type="application/json",
    )
    assert response.status_code == 201
    entry = AuditEntry.objects.get(
        action="version.created", object_id=response.json()["id"]
    )
    assert "via" not in entry.data


def test_a_read_token_cannot_change_anything(cast):
    api = bearer(personal_token(cast["designer"], "read"))
    refused = api.post(
        "/api/module-versions/",
        {"organization": cast.organization.slug, "code": "TOK-1", "title": "T"},
        format="json",
    )
    assert refused.status_code == 403
    assert "“admin” scope" in refused.json()["detail"]
    assert not ModuleVersion.objects.exists()
    assert api.get("/api/organizations/").status_code == 200


def test_a_token_never_does_more_than_its_person_may(cast):
    """Every scope, but a designer's roles: publishing stays the admin's."""
    task = builders.make_module(cast, "M-1", publish=False)
    api = bearer(personal_token(cast["designer"]))
    response = api.post(
        f"/api/module-versions/{task.version.pk}/publish/", {"changelog": "v1"}
    )
    assert response.status_code == 403
    task.version.refresh_from_db()
    assert task.version.status != "published"


def test_grading_needs_the_grade_scope(cast, pathway):
    task = pathway.tasks[0]
    submission = builders.submit(task, cast["learner"])
    levels = {str(c): lv for c, lv in builders.levels_for(task, 3).items()}
    url = f"/api/submissions/{submission.pk}/grade/"
    no_grade = bearer(personal_token(cast["faculty"], "read", "admin", "issue"))
    assert no_grade.post(url, {"levels": levels}, format="json").status_code == 403
    grader = bearer(personal_token(cast["faculty"], "grade", name="marks"))
    graded = grader.post(url, {"levels": levels}, format="json")
    assert graded.status_code == 201, graded.json()
    entry = AuditEntry.objects.get(action="submission.graded")
    assert entry.data["via"].startswith("token marks (cairn_pat_")


def test_revoking_a_credential_needs_the_issue_scope(cast, issued):
    url = f"/api/credentials/{issued.uuid}/revoke/"
    body = {"reason": "Misconduct."}
    grade_only = bearer(personal_token(cast["admin"], "read", "grade", "admin"))
    assert grade_only.post(url, body, format="json").status_code == 403
    assert not Award.objects.get(pk=issued.pk).is_revoked
    issuer = bearer(personal_token(cast["admin"], "issue", name="registrar"))
    assert issuer.post(url, body, format="json").status_code == 200
    assert Award.objects.get(pk=issued.pk).is_revoked
    entry = AuditEntry.objects.get(action="award.revoked")
    assert entry.actor == cast["admin"]
    assert entry.data["via"].startswith("token registrar (")


def test_a_learner_reads_their_progress_and_awards(cast, issued):
    api = bearer(personal_token(cast["learner"], "read"))
    progress = api.get("/api/progress/")
    assert progress.status_code == 200
    awards = api.get("/api/awards/").json()
    assert [a["uuid"] for a in awards["results"]] == [str(issued.uuid)]
    assert api.get("/api/submissions/").status_code == 200


def test_a_reviewer_reads_reviews(cast):
    api = bearer(personal_token(cast["reviewer"], "read"))
    assert api.get("/api/reviews/").status_code == 200


def test_a_service_account_works_in_its_organization_only(
    cast, service_account, issued
):
    api = bearer(service_token(service_account, cast["admin"], name="nightly"))
    orgs = api.get("/api/organizations/").json()
    assert [o["slug"] for o in orgs["results"]] == [cast.organization.slug]
    created = api.post(
        "/api/frameworks/",
        {"organization": cast.organization.slug, "name": "Our skills"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    entry = AuditEntry.objects.get(action="framework.created")
    assert entry.actor == service_account.user
    assert entry.data["via"].startswith("token nightly (cairn_sat_")
    elsewhere = api.post(
        "/api/frameworks/",
        {"organization": cast.other_organization.slug, "name": "Theirs"},
        format="json",
    )
    assert elsewhere.status_code == 403
    assert not CompetencyFramework.objects.filter(name="Theirs").exists()
    own = api.get(f"/api/organizations/{cast.organization.slug}/analytics/")
    assert own.status_code == 200
    other = f"/api/organizations/{cast.other_organization.slug}/analytics/"
    assert api.get(other).status_code == 403


def test_each_token_has_its_own_limit_per_minute(cast, settings):
    settings.CAIRN_TOKEN_REQUESTS_PER_MINUTE = 2
    busy = bearer(personal_token(cast["designer"], "read", name="busy"))
    calm = bearer(personal_token(cast["designer"], "read", name="calm"))
    assert busy.get("/api/organizations/").status_code == 200
    assert busy.get("/api/organizations/").status_code == 200
    throttled = busy.get("/api/organizations/")
    assert throttled.status_code == 429
    assert throttled["Retry-After"] == "60"
    assert "more than 2 calls" in throttled.json()["detail"]
    assert calm.get("/api/organizations/").status_code == 200


@pytest.mark.parametrize(
    ("header", "words"),
    [
        ("Bearer cairn_pat_unknown", "unknown, expired or revoked"),
        ("Bearer cairn_sat_", "unknown, expired or revoked"),
        ("Bearer two parts", "no spaces"),
        ("Bearer some-oauth-token", "unknown, expired or revoked"),
    ],
)
def test_a_bad_token_is_refused_with_a_reason(db, header, words):
    api = bearer("x")
    api.credentials(HTTP_AUTHORIZATION=header)
    response = api.get("/api/organizations/")
    assert response.status_code == 401
    assert words in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")
