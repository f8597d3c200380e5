"""Every operation of the API's OpenAPI schema, with every kind of bad token:
a missing, expired, revoked or under-scoped one is refused, and a service
account of another organization gets no more than an anonymous caller."""

import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from accounts.lifecycle import services as lifecycle
from accounts.people import services as people
from assessments import services as assessments
from credentials.models import Award
from credentials.services import bulk_awards
from integrations.models import ApiToken, Scope
from integrations.tokens import scopes, selectors
from integrations.tokens import services as tokens
from integrations.webhooks import services as webhooks
from pathways import roster
from pathways import services as pathways
from reviews import services as reviews
from tests import builders
from tests.accounts.sso.factories import make_oidc_provider
from tests.integrations.conftest import bearer, personal_token, service_token

# Public by design: the catalogue, frameworks, verification. Anyone may call
# them without a token (and /api/verify takes no credentials at all).
PUBLIC = {
    ("GET", "/api/module-versions/"),
    ("GET", "/api/module-versions/{id}/"),
    ("GET", "/api/module-versions/{id}/ctdl/"),
    ("GET", "/api/frameworks/"),
    ("GET", "/api/frameworks/{id}/"),
    ("GET", "/api/frameworks/{id}/case/"),
    ("GET", "/api/frameworks/{id}/competencies/"),
    ("GET", "/api/competencies/search/"),
    ("GET", "/api/competencies/{id}/"),
    ("GET", "/api/pathway-versions/"),
    ("GET", "/api/pathway-versions/{id}/"),
    ("GET", "/api/credentials/{uuid}/verification/"),
    ("POST", "/api/verify"),
}
NO_CREDENTIALS = {("POST", "/api/verify")}
# Lists of what the caller holds: someone of another organization gets their
# own (empty) list, never this organization's.
OWN_LISTS = {
    "/api/organizations/",
    "/api/submissions/",
    "/api/grading-queue/",
    "/api/awards/",
    "/api/progress/",
    "/api/reviews/",
}


def operations() -> list[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return sorted(
        (method.upper(), path)
        for path, item in schema["paths"].items()
        for method in item
        if path.startswith("/api/")
    )


OPERATIONS = operations()


@pytest.fixture
def world(cast, pathway, settings, django_capture_on_commit_callbacks):
    """One of every object the API addresses, in the cast's organization;
    drafts where there are drafts, so that nothing is public by accident."""
    draft = builders.make_module(cast, "DRAFT-1", publish=False)
    outcome = draft.version.outcomes.first()
    competency = outcome.competencies.first()
    task = pathway.tasks[0]
    with django_capture_on_commit_callbacks(execute=True):
        submission = builders.submit_and_pass(task, cast["learner"], cast["faculty"])
    board = builders.make_board(cast)
    review = reviews.submit_for_review(draft.version, by=cast["designer"], board=board)
    upload = SimpleUploadedFile(
        "grades.csv",
        f"learner,Accuracy,Communication\n{cast['other_learner'].username},1,1\n".encode(),
    )
    job = assessments.start_grade_import(task, by=cast["faculty"], upload=upload)
    award = Award.objects.get()
    # A webhook whose receiver is down (nothing listens on port 9), with one
    # delivery on record.
    settings.CAIRN_WEBHOOKS_ALLOW_LOOPBACK = True
    hook, _ = webhooks.create_subscription(
        cast.organization,
        by=cast["admin"],
        url="http://127.0.0.1:9/hooks",
        events=["award.issued"],
    )
    delivery = webhooks.send_test_event(hook, by=cast["admin"])
    provider = make_oidc_provider(cast.organization, by=cast["admin"])
    cohort = assessments.create_cohort(cast.organization, by=cast["admin"], name="C")
    equivalence = pathways.approve_equivalence(
        cast.organization, by=cast["admin"], issuer="elsewhere", achievement="X-1"
    )
    ids = {
        "module-versions": draft.version.pk,
        "outcomes": outcome.pk,
        "frameworks": competency.framework.pk,
        "competencies": competency.pk,
        "tasks": draft.pk,
        "submissions": submission.pk,
        "grade-imports": job.pk,
        "pathway-versions": pathway.version.pk,
        "reviews": review.pk,
        "boards": board.pk,
        "cohorts": cohort.pk,
        "equivalences": equivalence.pk,
        "keys": award.signing_key_id,
        "modules": draft.version.module.pk,
        "comments": _comment(review, cast).pk,
        "invitations": people.invite_member(
            cast.organization, by=cast["admin"], email="new@example.org", role="faculty"
        )[0].pk,
        "reevaluations": pathways.start_reevaluation(
            pathway.version, by=cast["admin"], reason="A check"
        ).pk,
        # Admin pages that were browser-only (apigaps1).
        "roster-imports": roster.check_roster_upload(
            cast.organization,
            by=cast["admin"],
            upload=SimpleUploadedFile(
                "roster.csv", b"email,role\nnew.one@college.edu,learner\n"
            ),
        )[1].pk,
        "erasure-requests": lifecycle.request_erasure(cast["other_learner"]).pk,
        # Bulk awards (issue 16): a checked file.
        "bulk-awards": bulk_awards.check_bulk_award(
            cast.organization,
            by=cast["admin"],
            upload=SimpleUploadedFile(
                "awards.csv",
                f"email,achievement,issue_date\n{cast['other_learner'].email},"
                f"B-102,{timezone.localdate().isoformat()}\n".encode(),
            ),
        )[1].pk,
    }
    org = cast.organization.slug
    bodies = {
        ("POST", "/api/module-versions/"): {
            "organization": org,
            "code": "NEW-1",
            "title": "New",
        },
        ("POST", "/api/frameworks/"): {"organization": org, "name": "New"},
        ("POST", "/api/frameworks/import-case/"): {
            "organization": org,
            "package": {"CFDocument": {}, "CFItems": []},
        },
        ("POST", "/api/pathway-versions/"): {
            "organization": org,
            "code": "NEW",
            "title": "New",
            "rule": {"type": "module", "code": "A-101"},
        },
        ("POST", "/api/reviews/start-draft/"): {
            "kind": "module",
            "version": task.version.pk,
        },
        ("POST", "/api/reviews/submit/"): {
            "kind": "module",
            "version": draft.version.pk,
            "board": board.pk,
        },
    }
    return {
        "ids": ids,
        "award": award,
        "hook": hook,
        "provider": provider,
        "delivery": delivery,
        "bodies": bodies,
        "cast": cast,
        "rubric": draft.rubric,
    }


def _comment(review, cast):
    reviews.declare_interest(review, user=cast["practitioner_1"], has_conflict=False)
    return reviews.add_comment(
        review, user=cast["practitioner_1"], anchor_kind="general", body="Why?"
    )


def url_for(path: str, world: dict) -> str:
    cast = world["cast"]
    parts = []
    for i, part in enumerate(path.strip("/").split("/")):
        if part == "{id}":
            part = str(world["ids"][parts[i - 1]])
        elif part == "{uuid}":
            webhook = parts[i - 1] == "webhooks"
            part = str((world["hook"] if webhook else world["award"]).uuid)
        elif part == "{delivery}":
            part = str(world["delivery"].uuid)
        elif part == "{slug}":
            part = cast.organization.slug
        elif part == "{provider_slug}":
            part = world["provider"].slug
        elif part == "{user_id}":
            part = str(cast["other_learner"].pk)
        elif part == "{role}":
            part = "learner"
        elif part == "{variant}":
            part = "short"
        # apigaps2: the rubric builder's rows, columns and cells.
        elif part == "{criterion}":
            part = str(world["rubric"].criteria.first().pk)
        elif part == "{cell}":
            part = str(world["rubric"].criteria.first().levels.first().pk)
        elif part == "{position}":
            part = "0"
        parts.append(part)
    return "/" + "/".join(parts) + ("/" if path.endswith("/") else "")


def call(api: APIClient, method: str, path: str, world: dict):
    body = world["bodies"].get((method, path), {})
    if path == "/api/frameworks/import-csv/":
        upload = SimpleUploadedFile("f.csv", b"statement\nUse a spreadsheet\n")
        body = {
            "organization": world["cast"].organization.slug,
            "framework": "New",
            "file": upload,
        }
        return api.generic(method, url_for(path, world), **_multipart(api, body))
    return api.generic(
        method,
        url_for(path, world),
        json.dumps(body) if method != "GET" else "",
        content_type="application/json",
    )


def _multipart(api, body):
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

    return {
        "data": encode_multipart(BOUNDARY, body),
        "content_type": MULTIPART_CONTENT,
    }


def refused(response) -> bool:
    return response.status_code in (401, 403, 404)


def test_the_schema_lists_every_endpoint_of_the_api():
    assert len(OPERATIONS) >= 60
    assert ("POST", "/api/credentials/{uuid}/revoke/") in OPERATIONS


def _api_views(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _api_views(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and prefix.startswith("api/"):
            view = getattr(pattern.callback, "view_class", None)
            if view is not None:
                yield view


def test_every_api_view_has_a_scope_for_each_of_its_methods():
    for view in _api_views(get_resolver().url_patterns):
        table = scopes.ENDPOINT_SCOPES.get(f"{view.__module__}.{view.__qualname__}")
        if table is None:
            table = getattr(view, "token_scopes", None)
        assert table, f"{view.__module__}.{view.__qualname__} has no scopes"
        methods = {m.upper() for m in view.http_method_names if hasattr(view, m)}
        assert methods - {"OPTIONS", "HEAD"} == set(table), view


def test_every_scope_table_entry_names_a_real_view():
    from django.utils.module_loading import import_string

    for dotted in scopes.ENDPOINT_SCOPES:
        assert import_string(dotted)


def test_the_organization_admin_s_token_reads_every_operation(world):
    """The control: the same addresses, read with a good token, answer."""
    api = bearer(personal_token(world["cast"]["admin"], "read"))
    answers = {
        path: call(api, method, path, world).status_code
        for method, path in OPERATIONS
        if method == "GET"
    }
    # CTDL describes published versions only, and the world's version is a draft.
    assert {path for path, status in answers.items() if status != 200} == {
        "/api/module-versions/{id}/ctdl/"
    }


@pytest.mark.parametrize("kind", ["missing", "expired", "revoked", "under-scoped"])
def test_every_operation_refuses_a_bad_token(world, kind):
    cast = world["cast"]
    failures = []
    for method, path in OPERATIONS:
        if (method, path) in NO_CREDENTIALS:
            continue
        if kind == "missing":
            if (method, path) in PUBLIC:
                continue
            api, expected = APIClient(), {401}
        else:
            view = _view_for(url_for(path, world))
            needed = scopes.required_scope(view, method)
            granted = (
                set(Scope.values) - {needed} if kind == "under-scoped" else Scope.values
            )
            raw = personal_token(cast["admin"], *granted, name=f"{method} {path}")
            token = selectors.usable_token(raw)
            if kind == "expired":
                ApiToken.objects.filter(pk=token.pk).update(
                    expires_at=timezone.now() - timedelta(seconds=1)
                )
            elif kind == "revoked":
                tokens.revoke_token(token, by=cast["admin"])
            api = bearer(raw)
            expected = {403} if kind == "under-scoped" else {401}
        response = call(api, method, path, world)
        if response.status_code not in expected:
            failures.append((method, path, response.status_code))
    assert not failures


def test_a_service_account_of_another_organization_gets_no_more_than_anyone(world):
    cast = world["cast"]
    other = tokens.create_service_account(
        cast.other_organization,
        by=cast["outside_faculty"],
        name="Their records system",
        roles=list(tokens.SERVICE_ROLES),
    )
    outsider = bearer(service_token(other, cast["outside_faculty"]))
    failures = []
    for method, path in OPERATIONS:
        if (method, path) in NO_CREDENTIALS:
            continue
        answer = call(outsider, method, path, world)
        if (method, path) in PUBLIC:
            anonymous = call(APIClient(), method, path, world)
            ok = answer.status_code == anonymous.status_code and (
                answer.status_code != 200 or answer.json() == anonymous.json()
            )
        elif method == "GET" and path in OWN_LISTS:
            text = answer.content.decode()
            ok = answer.status_code == 200 and cast.organization.slug not in text
            ok = ok and cast.organization.name not in text
        else:
            ok = refused(answer)
        if not ok:
            failures.append((method, path, answer.status_code))
    assert not failures


def _view_for(url: str):
    from django.urls import resolve

    match = resolve(url)
    view = match.func.view_class(**getattr(match.func, "view_initkwargs", {}))
    return view
