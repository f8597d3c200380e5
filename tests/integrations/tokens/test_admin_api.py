"""Every change an organization's admin can make through the API (boards,
cohorts, equivalences, the issuer profile, its logo, signing keys,
endorsements, reissuing and renewing, roster imports, self-registration,
erasure requests), with every kind of token that must not
make it: each is refused and nothing changes, not even the audit trail."""

import io
import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from accounts.lifecycle import services as lifecycle
from accounts.models import (
    AuditEntry,
    Deactivation,
    ErasureRequest,
    Invitation,
    Organization,
    RosterImport,
    SignupPolicy,
)
from accounts.people import services as people
from assessments import services as assessments
from assessments.models import Cohort, RecognitionDecision
from credentials import services as credentials
from credentials.models import Award, Endorsement, IssuerProfile, SigningKey
from curriculum import services as curriculum
from integrations.models import ApiToken, Scope
from integrations.tokens import selectors
from integrations.tokens import services as tokens
from pathways import roster
from pathways import services as pathways
from pathways.models import (
    Enrolment,
    Equivalence,
    PrerequisiteOverride,
    Reevaluation,
)
from reviews import services as reviews
from reviews.models import AdvisoryBoard, BoardMember
from tests import builders, factories
from tests.integrations.conftest import bearer, personal_token, service_token


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def world(cast, pathway, django_capture_on_commit_callbacks):
    """One of everything the admin's writes address, in the cast's organization."""
    with django_capture_on_commit_callbacks(execute=True):
        builders.submit_and_pass(pathway.tasks[0], cast["learner"], cast["faculty"])
        builders.submit_and_pass(pathway.tasks[1], cast["learner"], cast["faculty"])
    first, second = Award.objects.order_by("pk")
    credentials.revoke_award(second, by=cast["admin"], reason="A wrong name.")
    board = builders.make_board(cast)
    draft = builders.make_module(cast, "END-1", publish=False).version
    review = reviews.submit_for_review(draft, by=cast["designer"], board=board)
    for name in ("practitioner_1", "practitioner_2"):
        reviews.declare_interest(review, user=cast[name], has_conflict=False)
        reviews.cast_vote(review, user=cast[name], decision="approve", reason="Good.")
    cohort = assessments.create_cohort(cast.organization, by=cast["admin"], name="C")
    assessments.add_to_cohort(
        cohort, by=cast["admin"], user=cast["other_learner"], as_role="learner"
    )
    equivalence = pathways.approve_equivalence(
        cast.organization, by=cast["admin"], issuer="elsewhere", achievement="X-1"
    )
    people.invite_member(
        cast.organization, by=cast["admin"], email="new@example.org", role="faculty"
    )
    invitation = Invitation.objects.get(email="new@example.org")
    leaver = factories.UserFactory()
    curriculum.add_member(cast.organization, leaver, role="learner")
    people.deactivate_member(cast.organization, by=cast["admin"], user=leaver)
    _, roster_job = roster.check_roster_upload(
        cast.organization,
        by=cast["admin"],
        upload=SimpleUploadedFile("first.csv", ROSTER),
    )
    erasures = []
    for _ in range(2):
        person = factories.UserFactory()
        curriculum.add_member(cast.organization, person, role="learner")
        erasures.append(lifecycle.request_erasure(person))
    org = f"/api/organizations/{cast.organization.slug}"
    version = f"/api/pathway-versions/{pathway.version.pk}"
    module = pathway.tasks[1].version.module
    since = (timezone.now() - timedelta(days=1)).isoformat()
    writes = [
        ("POST", f"{org}/boards/", {"name": "Second board"}),
        ("PATCH", f"{org}/boards/{board.pk}/", {"name": "Renamed"}),
        (
            "PUT",
            f"{org}/boards/{board.pk}/",
            {"name": "Renamed", "approvals_needed": 1},
        ),
        (
            "POST",
            f"{org}/boards/{board.pk}/members/",
            {"name": "Pat Doe", "email": "pat@example.org"},
        ),
        ("POST", f"{org}/cohorts/", {"name": "Evening"}),
        (
            "POST",
            f"{org}/cohorts/{cohort.pk}/members/add/",
            {"role": "learner", "people": [cast["learner"].username]},
        ),
        (
            "POST",
            f"{org}/cohorts/{cohort.pk}/members/remove/",
            {"role": "learner", "people": [cast["other_learner"].username]},
        ),
        ("POST", f"{org}/equivalences/", {"issuer": "elsewhere", "achievement": "Y"}),
        ("POST", f"{org}/equivalences/{equivalence.pk}/withdraw/", {}),
        ("PATCH", f"{org}/issuer/", {"name": "Renamed", "suspension_entry": True}),
        ("PUT", f"{org}/issuer/logo/", "logo"),
        ("POST", f"{org}/keys/rotate/", {}),
        (
            "POST",
            f"{org}/keys/{first.signing_key_id}/compromised/",
            {"since": since, "reason": "Leaked."},
        ),
        ("POST", f"{org}/endorsements/", {"review": review.pk, "comment": "Sound."}),
        ("POST", f"/api/credentials/{second.uuid}/reissue/", {}),
        ("POST", f"/api/credentials/{first.uuid}/renew/", {"reason": "Checked."}),
        ("POST", f"{version}/enrol-cohort/", {"cohort": cohort.pk}),
        ("POST", f"{version}/move-cohort/", {"source": pathway.version.pk}),
        ("POST", f"{version}/reevaluate/", {}),
        (
            "POST",
            f"/api/modules/{module.pk}/prerequisite-overrides/",
            {"learner": cast["other_learner"].username, "reason": "Shown elsewhere."},
        ),
        ("POST", f"{org}/invitations/{invitation.pk}/withdraw/", {}),
        ("POST", f"{org}/members/{leaver.pk}/reactivate/", {}),
        # apigaps2: recognition of prior learning.
        (
            "POST",
            f"{org}/recognition/",
            {
                "learner": cast["other_learner"].username,
                "version": pathway.tasks[2].version.pk,
                "source": "recognition",
                "decision": "declined",
                "reason": "Half the outcomes.",
            },
        ),
        # Admin pages that were browser-only (apigaps1).
        ("POST", f"{org}/roster-imports/", "roster"),
        ("POST", f"{org}/roster-imports/{roster_job.pk}/start/", {}),
        (
            "PUT",
            f"{org}/registration/",
            {"is_open": True, "email_domains": ["college.edu"]},
        ),
        ("PATCH", f"{org}/registration/", {"email_domains": ["uni.example"]}),
        ("POST", f"{org}/erasure-requests/{erasures[0].pk}/confirm/", {}),
        (
            "POST",
            f"{org}/erasure-requests/{erasures[1].pk}/decline/",
            {"reason": "Records are kept six years."},
        ),
    ]
    return {"cast": cast, "writes": writes}


ROSTER = (
    b"email,given_name,family_name,role\nnew.person@college.edu,New,Person,learner\n"
)


def send(api: APIClient, method: str, url: str, body):
    if body == "roster":
        upload = SimpleUploadedFile("second.csv", ROSTER)
        data = encode_multipart(BOUNDARY, {"file": upload})
        return api.generic(method, url, data, content_type=MULTIPART_CONTENT)
    if body == "logo":
        upload = io.BytesIO(png())
        upload.name = "logo.png"
        data = encode_multipart(BOUNDARY, {"logo": upload})
        return api.generic(method, url, data, content_type=MULTIPART_CONTENT)
    return api.generic(method, url, json.dumps(body), content_type="application/json")


def snapshot() -> tuple:
    """Everything those writes could change, and the audit trail's length."""
    return (
        AuditEntry.objects.count(),
        list(AdvisoryBoard.objects.order_by("pk").values()),
        list(BoardMember.objects.order_by("pk").values_list("pk", "email")),
        [
            (c.pk, c.name, sorted(c.learners.values_list("pk", flat=True)))
            for c in Cohort.objects.order_by("pk")
        ],
        list(Equivalence.objects.order_by("pk").values()),
        list(Organization.objects.order_by("pk").values("name", "url", "email")),
        list(IssuerProfile.objects.order_by("pk").values()),
        list(
            SigningKey.objects.order_by("pk").values(
                "pk", "is_active", "compromised_at"
            )
        ),
        list(Award.objects.order_by("pk").values("pk", "revoked_at", "expires_at")),
        Endorsement.objects.count(),
        list(Enrolment.objects.order_by("pk").values("pk", "learner", "version")),
        Reevaluation.objects.count(),
        PrerequisiteOverride.objects.count(),
        list(Invitation.objects.order_by("pk").values("pk", "withdrawn_at")),
        Deactivation.objects.count(),
        RecognitionDecision.objects.count(),
        list(RosterImport.objects.order_by("pk").values("pk", "status")),
        list(SignupPolicy.objects.order_by("pk").values()),
        list(ErasureRequest.objects.order_by("pk").values("pk", "status")),
    )


def _tokens_for(kind: str, cast) -> list[tuple[APIClient, set[int]]]:
    """Callers of one kind, each with the answers it may get."""
    if kind == "missing":
        return [(APIClient(), {401})]
    if kind in ("expired", "revoked"):
        raw = personal_token(cast["admin"], name=kind)
        token = selectors.usable_token(raw)
        if kind == "expired":
            ApiToken.objects.filter(pk=token.pk).update(
                expires_at=timezone.now() - timedelta(seconds=1)
            )
        else:
            tokens.revoke_token(token, by=cast["admin"])
        return [(bearer(raw), {401})]
    if kind == "under-scoped":
        # Every scope but the one each write needs: `admin`, or `issue` for
        # reissuing and renewing. One token of each.
        no_admin = set(Scope.values) - {Scope.ADMIN}
        no_issue = set(Scope.values) - {Scope.ISSUE}
        return [
            (bearer(personal_token(cast["admin"], *no_admin, name="no-admin")), "A"),
            (bearer(personal_token(cast["admin"], *no_issue, name="no-issue")), "I"),
        ]
    if kind == "other-organization":
        account = tokens.create_service_account(
            cast.other_organization,
            by=cast["outside_faculty"],
            name="Theirs",
            roles=list(tokens.SERVICE_ROLES),
        )
        curriculum.add_member(cast.other_organization, cast["stranger"], role="admin")
        return [
            (bearer(service_token(account, cast["outside_faculty"])), {403, 404}),
            (bearer(personal_token(cast["stranger"], name="their admin")), {403, 404}),
        ]
    # Staff of the organization who are not its admins, with every scope.
    return [
        (bearer(personal_token(cast[role], name=role)), {403, 404})
        # (Faculty may waive a prerequisite, so they are left out here.)
        for role in ("designer", "reviewer", "learner")
    ]


ISSUE_WRITES = ("/reissue/", "/renew/")
# Refused to the admin too, each for a reason of its own: this credential does
# not expire, and a version's learners move only from an older version.
OWN_REASONS = ("/renew/", "/move-cohort/")
# A roster's dry run keeps the checked file (a 201) but, as on the roster
# page, leaves no audit entry: starting the import does.
NOT_AUDITED = ("/roster-imports/",)


@pytest.mark.parametrize(
    "kind",
    ["missing", "expired", "revoked", "under-scoped", "other-organization", "staff"],
)
def test_every_admin_write_refuses_the_wrong_token_and_changes_nothing(world, kind):
    cast = world["cast"]
    callers = _tokens_for(kind, cast)
    before = snapshot()
    failures = []
    for method, url, body in world["writes"]:
        for api, expected in callers:
            if expected in ("A", "I"):
                # The under-scoped token lacks exactly the scope this write needs.
                needs_issue = url.endswith(ISSUE_WRITES)
                if (expected == "I") != needs_issue:
                    continue
                expected = {403}
            response = send(api, method, url, body)
            if response.status_code not in expected:
                failures.append((method, url, response.status_code))
    assert not failures
    assert snapshot() == before


def test_the_organization_s_admin_token_makes_each_of_those_writes(world):
    """The control: the same calls with the admin's token change something,
    each named in the audit trail with the token (renewing is refused here for
    a reason of its own: this credential does not expire)."""
    cast = world["cast"]
    api = bearer(personal_token(cast["admin"], name="control"))
    answers = []
    for method, url, body in world["writes"]:
        entries = AuditEntry.objects.count()
        response = send(api, method, url, body)
        answers.append((url, response.status_code))
        if url.endswith(OWN_REASONS):
            assert response.status_code == 400
            assert AuditEntry.objects.count() == entries
            continue
        assert response.status_code in (200, 201, 202), (url, response.content)
        if url.endswith(NOT_AUDITED):
            continue
        made = AuditEntry.objects.filter(pk__gt=0).order_by("-pk")[
            : AuditEntry.objects.count() - entries
        ]
        assert made, url
        assert all(e.data.get("via", "").startswith("token control (") for e in made)
