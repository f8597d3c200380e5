"""Schemathesis fuzzes every API operation for every role, on the test
database, and finds no server error and no response that breaks the schema.

The budget is fixed (derandomized, a few examples an operation, no shrinking)
so that the whole run takes a couple of minutes on two cores; the examples are
the same on every run. Each role's test is among the suite's heaviest: they
start first, spread over the workers (tests/conftest.py)."""

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import ClientHandler
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as budget
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from accounts.lifecycle import services as lifecycle
from assessments import services as assessments
from credentials.models import Award
from pathways import roster
from pathways import services as pathways
from reviews import services as reviews
from tests import builders

# Examples an operation, by role: the roles refused most operations (a 401 or
# 403 before any input is read) need fewer to reach every answer they can get;
# the admin, who reaches every operation's code, gets the most. Half of what
# they were (6, 10, 6, 12, 12, 20): an example costs about 65 ms (half drawing
# it, half serving it), and the 173 operations times six roles at those
# budgets took 760 s of the suite's 19 minutes.
EXAMPLES_PER_OPERATION = {
    "anonymous": 3,
    "learner": 5,
    "reviewer": 3,
    "faculty": 6,
    "designer": 6,
    "admin": 10,
}
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
# A role's run takes about ten seconds an example an operation (two cores
# under load): the weight by which the heaviest tests start first.
ROLES = [
    pytest.param(role, marks=pytest.mark.heavy(10 * examples))
    for role, examples in EXAMPLES_PER_OPERATION.items()
]


class DatabaseApp:
    """Cairn as a WSGI app that runs each request like Django's test client:
    on the test's own connection and transaction (rolled back after the test),
    with CSRF checks off as for an API client holding a session."""

    def __init__(self):
        self.handler = ClientHandler(enforce_csrf_checks=False)

    def __call__(self, environ, start_response):
        response = self.handler(environ)
        headers = list(response.items()) + [
            ("Set-Cookie", cookie.output(header="").strip())
            for cookie in response.cookies.values()
        ]
        start_response(f"{response.status_code} {response.reason_phrase}", headers)
        return response


@pytest.fixture
def world(cast, pathway, django_capture_on_commit_callbacks):
    """Something of each kind for the fuzzer to find by id: published and draft
    versions, outcomes, a framework and its competencies, submissions waiting
    and graded, an award, a review. Path parameter -> real values."""
    first, second, _ = pathway.tasks
    with django_capture_on_commit_callbacks(execute=True):
        waiting = builders.submit(first, cast["learner"])
        graded = builders.submit_and_pass(second, cast["learner"], cast["faculty"])
    draft = builders.make_module(cast, "D-1", publish=False).version
    review = reviews.submit_for_review(
        draft, by=cast["designer"], board=builders.make_board(cast)
    )
    assert Award.objects.filter(learner=cast["learner"]).exists()
    framework = first.version.outcomes.first().competencies.first().framework
    versions = [draft, first.version]
    slug = cast.organization.slug
    cohort = assessments.create_cohort(cast.organization, by=cast["admin"], name="C")
    equivalence = pathways.approve_equivalence(
        cast.organization, by=cast["admin"], issuer="elsewhere", achievement="X-1"
    )
    key = Award.objects.filter(learner=cast["learner"]).first().signing_key_id
    _, job = roster.check_roster_upload(
        cast.organization,
        by=cast["admin"],
        upload=SimpleUploadedFile(
            "r.csv", b"email,role\nnew.one@college.edu,learner\n"
        ),
    )
    erasure = lifecycle.request_erasure(cast["other_learner"])
    # Paths with two parameters: each value names them all.
    nested = {
        f"/api/organizations/{{slug}}/{kind}/{{id}}": [{"slug": slug, "id": pk}]
        for kind, pk in [
            ("boards", review.board_id),
            ("cohorts", cohort.pk),
            ("equivalences", equivalence.pk),
            ("keys", key),
            ("roster-imports", job.pk),
            ("erasure-requests", erasure.pk),
        ]
    }
    return {
        **nested,
        "/api/module-versions/{id}": [v.pk for v in versions],
        "/api/outcomes/{id}": [v.outcomes.first().pk for v in versions],
        "/api/frameworks/{id}": [framework.pk],
        "/api/competencies/{id}": list(
            framework.competencies.values_list("pk", flat=True)[:2]
        ),
        "/api/tasks/{id}": [first.pk, second.pk],
        "/api/submissions/{id}": [waiting.pk, graded.pk],
        "/api/pathway-versions/{id}": [pathway.version.pk],
        "/api/reviews/{id}": [review.pk],
        "/api/credentials/{uuid}": [
            str(u) for u in Award.objects.values_list("uuid", flat=True)[:2]
        ],
        "/api/organizations/{slug}": [cast.organization.slug],
    }


def _with_nul(case):
    """The case with a NUL character in every text of its query and JSON body:
    valid by the schema, and what once reached PostgreSQL as a server error."""

    def poison(values):
        return {
            key: value + "\x00" if isinstance(value, str) else value
            for key, value in values.items()
        }

    if case.query:
        case.query = poison(case.query)
    if isinstance(case.body, dict):
        case.body = poison(case.body)
    return case


def _strategy(operation, world):
    """Examples aimed at objects that exist and at any value, some of either
    with NUL characters in their text."""
    targets = [
        operation.as_strategy(
            path_parameters=value if isinstance(value, dict) else {name: value}
        )
        for prefix, values in world.items()
        if operation.path.startswith(prefix)
        for name in [prefix.rsplit("{", 1)[1].rstrip("}")]
        for value in values
    ]
    cases = st.one_of(*targets, operation.as_strategy())
    return st.one_of(cases, cases.map(_with_nul))


@pytest.mark.parametrize("role", ROLES)
def test_no_input_raises_a_server_error_or_breaks_the_schema(
    client, cast, world, settings, role
):
    settings.CAIRN_VERIFY_PER_MINUTE = 1_000_000
    cookies = {}
    if role != "anonymous":
        client.force_login(cast[role])
        cookies = {"sessionid": client.cookies["sessionid"].value}
    schema = schemathesis.openapi.from_wsgi("/api/schema/", DatabaseApp())
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=_strategy(operation, world))
        @budget(
            max_examples=EXAMPLES_PER_OPERATION[role],
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case):
            response = case.call(cookies=cookies)
            case.validate_response(response, checks=CHECKS)

        try:
            fuzz()
        except (Exception, FailureGroup) as error:
            failures.append(_report(operation.label, error))
    assert not failures, "\n\n".join(failures)


def _report(label: str, error: BaseException) -> str:
    found = getattr(error, "exceptions", None) or [error]
    lines = [label]
    for failure in found:
        title = getattr(failure, "title", type(failure).__name__)
        message = getattr(failure, "message", str(failure))
        lines.append(f"  {title}: {message[:800]}")
    lines.extend(f"  {note.strip()}" for note in getattr(error, "__notes__", []))
    return "\n".join(lines)
