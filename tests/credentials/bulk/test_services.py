"""Bulk awards (issue 16): the dry run's problems by line and column, one
transaction for every row, idempotent re-upload, pathway awards, and the
narrative and evidence in a credential that 1EdTech's schema and the Node
verifier accept."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import AuditEntry, Membership
from assessments.models import ModuleCompletion
from credentials.models import Award, BulkAward, DirectAward
from credentials.services import bulk_awards
from pathways import services as pathway_services
from pathways.models import PathwayCompletion
from tests import builders
from tests.credentials.bulk.conftest import HEADER, award, check
from tests.credentials.conftest import served
from tests.credentials.jsverifier import verify_with_node

TODAY = timezone.localdate()
DAY = (TODAY - timedelta(days=3)).isoformat()


@pytest.fixture
def module(cast):
    return builders.make_module(cast, "XL-200")


def test_the_dry_run_lists_every_rows_problems_by_line_and_column(cast, module):
    learner = cast["learner"]
    later = (TODAY + timedelta(days=5)).isoformat()
    text = HEADER + "\n".join(
        [
            f"{learner.email},,XL-200,{DAY},Well done,https://example.edu/e/1,",  # 2 ok
            f"nobody@example.edu,,XL-200,{DAY},,,",  # 3 unknown person
            f"{learner.email},,NOPE-1,{DAY},,,",  # 4 unknown achievement
            f"{learner.email},,XL-200,03/01/2026,,,",  # 5 bad date
            f"{learner.email},,XL-200,{DAY},,,2020-01-01",  # 6 expiry before issue
            f"{learner.email},,XL-200,{DAY},,not a url,",  # 7 bad URL
            f"{learner.email},,xl-200,{DAY},Again,,",  # 8 duplicate of 2
            f"{learner.email},,XL-200,{later},,,",  # 9 in the future
            f"{learner.email},,XL-200,{DAY},{'x' * 2001},,",  # 10 over-long
            f"{cast['stranger'].email},,XL-200,{DAY},,,",  # 11 not a member
            f"{learner.email},,XL-200,2019-01-01,,,2020-01-01",  # 12 expired
        ]
    )
    plan, job = check(cast, text)
    assert job is None
    found = {(p.line, p.column) for p in plan.problems}
    assert found == {
        (3, "email"),
        (4, "achievement"),
        (5, "issue_date"),
        (6, "expiry"),
        (7, "evidence_url"),
        (8, ""),
        (9, "issue_date"),
        (10, "narrative"),
        (11, "email"),
        (12, "expiry"),
    }
    messages = {p.line: p.message for p in plan.problems}
    assert "same award as line 2" in messages[8]
    assert "not after the issue date" in messages[6]
    assert "expired already" in messages[12]
    # Nothing written: no job kept, no completion, no award.
    assert not BulkAward.objects.exists()
    assert not ModuleCompletion.objects.exists()


def test_nul_bytes_and_wrong_encoding_are_refused(cast, module):
    learner = cast["learner"]
    plan, job = check(cast, HEADER + f"{learner.email},,XL-200,{DAY},Bad\x00one,,\n")
    assert job is None
    assert [(p.line, p.column) for p in plan.problems] == [(2, "narrative")]
    assert "NUL" in plan.problems[0].message
    latin = (HEADER + f"{learner.email},,XL-200,{DAY},Très bien,,\n").encode("latin-1")
    with pytest.raises(bulk_awards.BulkFileError, match="not UTF-8"):
        check(cast, latin)
    assert not BulkAward.objects.exists()


def test_a_module_award_is_made_by_number_and_by_email_then_issued(
    numbered, module, django_capture_on_commit_callbacks
):
    cast = numbered
    text = HEADER + (
        f"{cast['learner'].email},,XL-200,{DAY},Ran the spreadsheet clinic,"
        "https://example.edu/clinic,\n"
        f",S0042,Module XL-200,{DAY},Mentored two peers,,\n"
    )
    job = award(cast, text, django_capture_on_commit_callbacks)
    assert job.status == "done", job.errors
    assert job.result == {
        "rows": 2,
        "awarded": 2,
        "already_awarded": 0,
        "already_held": 0,
    }
    completions = ModuleCompletion.objects.filter(source="awarded")
    assert {c.learner for c in completions} == {cast["learner"], cast["other_learner"]}
    assert {c.completed_at.date() for c in completions} == {TODAY - timedelta(days=3)}
    assert Award.objects.filter(kind="module").count() == 2
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"bulk_award.checked", "bulk_award.started", "bulk_award.done"} <= actions


def test_re_uploading_the_same_file_awards_nothing_twice(
    cast, module, django_capture_on_commit_callbacks
):
    text = HEADER + f"{cast['learner'].email},,XL-200,{DAY},Clinic,,\n"
    award(cast, text, django_capture_on_commit_callbacks)
    plan, again = check(cast, text)
    assert plan.outcome == {2: bulk_awards.ALREADY_AWARDED}
    assert again.plan["to_award"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        bulk_awards.start_bulk_award(again, by=cast["admin"])
    again.refresh_from_db()
    assert again.result["already_awarded"] == 1
    assert again.outcomes[0][6] == "already awarded"
    assert ModuleCompletion.objects.count() == 1
    assert DirectAward.objects.count() == 1
    assert Award.objects.count() == 1
    # The job itself runs once, however often it is sent.
    assert bulk_awards.run_bulk_award(again).status == "done"
    assert Award.objects.count() == 1


def test_the_job_is_atomic_a_row_gone_bad_since_the_dry_run_awards_nothing(
    cast, module, django_capture_on_commit_callbacks
):
    other = cast["other_learner"]
    text = HEADER + (
        f"{cast['learner'].email},,XL-200,{DAY},,,\n{other.email},,XL-200,{DAY},,,\n"
    )
    plan, job = check(cast, text)
    assert not plan.problems
    # Since the dry run, the second person left the organization.
    Membership.objects.filter(organization=cast.organization, user=other).delete()
    with django_capture_on_commit_callbacks(execute=True):
        bulk_awards.start_bulk_award(job, by=cast["admin"])
    job.refresh_from_db()
    assert job.status == "failed"
    assert any("Line 3" in error for error in job.errors)
    assert not ModuleCompletion.objects.exists()
    assert not DirectAward.objects.exists()


def test_only_admins_of_the_organization_make_bulk_awards(cast, module):
    text = HEADER + f"{cast['learner'].email},,XL-200,{DAY},,,\n"
    from tests.credentials.bulk.conftest import upload

    for person in ("designer", "faculty", "learner", "outside_faculty"):
        with pytest.raises(ValidationError):
            bulk_awards.check_bulk_award(
                cast.organization, by=cast[person], upload=upload(text)
            )
    assert not BulkAward.objects.exists()


def test_a_pathway_award_stands_and_carries_its_evidence(
    client, cast, pathway, schema_validator, django_capture_on_commit_callbacks
):
    text = HEADER + (
        f"{cast['learner'].email},,PATH,{DAY},Recognised for the whole "
        f"programme at work,https://example.edu/portfolio/7,"
        f"{(TODAY + timedelta(days=365)).isoformat()}\n"
    )
    job = award(cast, text, django_capture_on_commit_callbacks)
    assert job.status == "done", job.errors
    completion = PathwayCompletion.objects.get()
    assert completion.expires_at.date() == TODAY + timedelta(days=365)
    # Evaluation (no module completed) never voids a pathway awarded directly.
    with django_capture_on_commit_callbacks(execute=True):
        pathway_services.evaluate_learner_pathways(cast["learner"])
    completion.refresh_from_db()
    assert completion.voided_at is None
    credential = Award.objects.get(kind="pathway").credential
    subject = credential["credentialSubject"]
    assert subject["narrative"] == "Recognised for the whole programme at work"
    assert credential["evidence"] == [
        {
            "id": "https://example.edu/portfolio/7",
            "type": ["Evidence"],
            "name": "Awarded directly by the organization",
            "narrative": "Recognised for the whole programme at work",
        }
    ]
    assert credential["validUntil"].startswith(
        (TODAY + timedelta(days=365)).isoformat()
    )
    assert [e.message for e in schema_validator.iter_errors(credential)] == []
    result = verify_with_node(credential, **served(client, credential))
    assert result["verified"] is True, result


def test_a_module_award_credential_has_its_narrative_evidence_and_expiry(
    client, cast, module, schema_validator, django_capture_on_commit_callbacks
):
    expiry = (TODAY + timedelta(days=30)).isoformat()
    text = HEADER + (
        f"{cast['learner'].email},,XL-200,{DAY},Taught the clinic,"
        f"https://example.edu/clinic,{expiry}\n"
    )
    award(cast, text, django_capture_on_commit_callbacks)
    credential = Award.objects.get().credential
    assert credential["credentialSubject"]["narrative"] == "Taught the clinic"
    assert credential["evidence"][0]["id"] == "https://example.edu/clinic"
    assert credential["validFrom"].startswith(DAY)
    assert credential["validUntil"].startswith(expiry)
    assert [e.message for e in schema_validator.iter_errors(credential)] == []
    result = verify_with_node(credential, **served(client, credential))
    assert result["verified"] is True, result


def test_a_graded_credential_carries_the_learners_description_and_links(
    client, cast, module, schema_validator, django_capture_on_commit_callbacks
):
    from assessments import services as assessments

    with django_capture_on_commit_callbacks(execute=True):
        submission = assessments.submit_evidence(
            module,
            learner=cast["learner"],
            text="A pivot table of the 2025 enrolments",
            links=["https://example.edu/work/1", "https://example.edu/work/2"],
        )
        assessments.grade_submission(
            submission,
            grader=cast["faculty"],
            levels=builders.levels_for(module, 2),
            comment="Good.",
        )
    credential = Award.objects.get().credential
    evidence = credential["evidence"]
    assert evidence[0]["id"] == "https://example.edu/work/1"
    assert evidence[0]["narrative"] == "A pivot table of the 2025 enrolments"
    assert evidence[1]["id"] == "https://example.edu/work/2"
    assert [e.message for e in schema_validator.iter_errors(credential)] == []
    result = verify_with_node(credential, **served(client, credential))
    assert result["verified"] is True, result
