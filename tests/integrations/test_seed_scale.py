"""`manage.py seed_scale` at a tiny scale: the counts it promises, constraints
that hold although COPY skipped the row triggers, pages that render for its
users, signed samples that verify and bulk awards that say they do not."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from accounts.models import AuditEntry, Membership, Organization
from assessments.models import Grade, ModuleCompletion, Submission
from credentials.models import Award, StatusList
from credentials.services import verify_award
from credentials.statuslist import get_bit
from integrations.scale import bulk, catalogue, indexes
from pathways.models import Enrolment, PathwayCompletion

LEARNERS = 200
COLLEGES = 2
User = get_user_model()


def secondary_indexes() -> set[tuple[str, str, str]]:
    return {
        (d.table, d.name, d.create) for d in indexes.secondary(bulk.TABLES.values())
    }


@pytest.fixture
def seeded(db, settings):
    """The seeded database; returns the indexes the migrations made."""
    settings.CAIRN_ANALYTICS_CACHE_SECONDS = 0
    before = secondary_indexes()
    call_command(
        "seed_scale", learners=LEARNERS, colleges=COLLEGES, chunk=70, stdout=None
    )
    return before


def check_the_counts_are_what_it_promises():
    samples = COLLEGES * catalogue.SAMPLE_LEARNERS
    learners = LEARNERS + samples
    pending = len(range(0, LEARNERS, bulk.PENDING_EVERY))
    failed = sum((n // 3) % bulk.FAILED_EVERY == 0 for n in range(LEARNERS))
    assert User.objects.filter(username__startswith="learner").count() == LEARNERS
    assert Membership.objects.filter(role="learner").count() == learners
    assert Enrolment.objects.count() == learners * 2
    assert ModuleCompletion.objects.count() == learners * 8
    assert PathwayCompletion.objects.count() == learners * 2
    assert Award.objects.count() == learners * 10
    assert Submission.objects.filter(status="submitted").count() == pending
    assert Grade.objects.filter(passed=False).count() == failed
    assert Submission.objects.count() == learners * 8 + failed + pending
    bulk_grades = Grade.objects.filter(submission__learner__username__startswith="l")
    assert (
        AuditEntry.objects.filter(action="submission.graded").count()
        == bulk_grades.count() + samples * 8
    )
    assert AuditEntry.objects.filter(action="award.issued").count() == learners * 10


def check_what_copy_wrote_keeps_every_constraint():
    with connection.cursor() as cursor:
        # Foreign keys COPY did not check: every reference finds its row.
        cursor.execute(
            """
            SELECT count(*) FROM credentials_award a
            LEFT JOIN assessments_modulecompletion m ON m.id = a.module_completion_id
            LEFT JOIN pathways_pathwaycompletion p ON p.id = a.pathway_completion_id
            LEFT JOIN auth_user u ON u.id = a.learner_id
            LEFT JOIN credentials_statuslist s ON s.id = a.revocation_list_id
            WHERE (a.kind = 'module' AND m.learner_id IS DISTINCT FROM a.learner_id)
               OR (a.kind = 'pathway' AND p.learner_id IS DISTINCT FROM a.learner_id)
               OR u.id IS NULL OR s.organization_id IS DISTINCT FROM a.organization_id
            """
        )
        assert cursor.fetchone()[0] == 0
        cursor.execute(
            """
            SELECT count(*) FROM assessments_modulecompletion c
            JOIN assessments_grade g ON g.id = c.grade_id
            JOIN assessments_submission s ON s.id = g.submission_id
            WHERE s.learner_id <> c.learner_id OR NOT g.passed
            """
        )
        assert cursor.fetchone()[0] == 0
    # Each award's status entry is handed out in its list, once.
    for status_list in StatusList.objects.all():
        awards = Award.objects.filter(revocation_list=status_list)
        assert status_list.assigned_count == awards.count()
        assert status_list.credential is not None
        for index in awards.values_list("revocation_index", flat=True)[:50]:
            assert get_bit(bytes(status_list.assigned), index)
    # New rows continue after the copied ones.
    last = User.objects.order_by("-pk").first().pk
    assert User.objects.create(username="after-the-seed").pk > last


def check_signed_samples_verify_and_bulk_awards_say_they_do_not():
    sample = Award.objects.filter(learner__username="sample000").first()
    assert verify_award(sample).status == "valid"
    copied = Award.objects.filter(learner__username="learner0000000").first()
    assert copied.credential["credentialSubject"]["identifier"][1]["identityHash"] == (
        f"{copied.learner.first_name} {copied.learner.last_name}"
    )
    assert copied.credential["id"] == f"urn:uuid:{copied.uuid}"
    assert verify_award(copied).status != "valid"


def check_the_pages_render_for_seeded_users(client):
    learner = User.objects.get(username="learner0000100")
    client.force_login(learner)
    assert client.get("/").status_code == 200
    award = Award.objects.filter(learner__username="sample000").first()
    assert (
        client.get(reverse("credentials:verify", args=[award.uuid])).status_code == 200
    )
    client.force_login(User.objects.get(username="faculty00a"))
    queue = client.get(reverse("assessments:queue"))
    assert queue.status_code == 200
    assert "learner0000000" in queue.text or "Aisha" in queue.text
    admin = User.objects.get(username="admin00")
    client.force_login(admin)
    awards = reverse("credentials:manage", args=["college-00"])
    assert client.get(awards).status_code == 200
    assert client.get(awards, {"q": "learner0000100"}).status_code == 200
    assert "learner0000100" in client.get(awards, {"q": "learner0000100"}).text or (
        learner.last_name in client.get(awards, {"q": "learner0000100"}).text
    )
    assert (
        client.get(reverse("analytics:organization", args=["college-00"])).status_code
        == 200
    )


def check_the_indexes_put_aside_for_the_load_are_all_back(before):
    assert len(before) >= 35  # the award table alone has fourteen
    assert secondary_indexes() == before


@pytest.mark.heavy(55)
def test_a_tiny_state_system(seeded, client):
    """One seeding (a minute: the samples are signed and drawn), five checks."""
    check_the_indexes_put_aside_for_the_load_are_all_back(seeded)
    check_the_counts_are_what_it_promises()
    check_what_copy_wrote_keeps_every_constraint()
    check_signed_samples_verify_and_bulk_awards_say_they_do_not()
    check_the_pages_render_for_seeded_users(client)


def test_it_refuses_a_database_with_organizations(db):
    Organization.objects.create(name="Already here", slug="already-here")
    with pytest.raises(CommandError, match="organizations already"):
        call_command("seed_scale", learners=1, colleges=1)


def test_a_duplicate_written_while_the_indexes_were_aside_fails_their_build(db):
    deferred = indexes.secondary(["auth_user"])
    indexes.drop(deferred)
    assert not indexes.secondary(["auth_user"])
    User.objects.bulk_create([User(username="twin"), User(username="twin")])
    with pytest.raises(IntegrityError), transaction.atomic():
        indexes.build(deferred)
