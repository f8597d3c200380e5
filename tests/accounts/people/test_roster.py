"""Roster imports: the dry run, all rows or none, and a second import that
changes nothing."""

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from accounts.models import (
    AuditEntry,
    Deactivation,
    MemberNumber,
    Membership,
    RosterImport,
)
from accounts.people.roster import RosterFileError, read_roster
from assessments.models import Cohort
from pathways import roster
from pathways.models import Enrolment

User = get_user_model()
HEADER = ["email", "given_name", "family_name", "student_number", "role", "cohort"]


def csv_bytes(rows, header=HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def learners(n, *, cohort="Autumn", pathway=None, start=0):
    return [
        [f"p{i}@roster.example.edu", f"Given{i}", f"Family{i}", f"S{i:06}", "learner"]
        + [cohort]
        + ([pathway] if pathway is not None else [])
        for i in range(start, start + n)
    ]


def upload(data: bytes, name="roster.csv"):
    return SimpleUploadedFile(name, data, content_type="text/csv")


def counts():
    return (
        User.objects.count(),
        Membership.objects.count(),
        MemberNumber.objects.count(),
        Cohort.objects.count(),
        Cohort.learners.through.objects.count(),
        Cohort.graders.through.objects.count(),
        Enrolment.objects.count(),
    )


def run(cast, data, captured):
    plan, job = roster.check_roster_upload(
        cast.organization, by=cast["admin"], upload=upload(data)
    )
    assert not plan.problems, plan.problems
    with captured(execute=True):
        roster.start_roster_import(job, by=cast["admin"])
    job.refresh_from_db()
    return job


# ---------------------------------------------------------------- reading


@pytest.mark.parametrize(
    "header",
    [
        ["E-mail Address", "First Name", "Last Name", "Student ID", "Role", "Group"],
        ["email", "givenName", "surname", "Staff Number", "USER_TYPE", "Section"],
        ["Email", "Forename", "Family name", "student_no", "role", "cohort"],
    ],
)
def test_common_heading_spellings_are_read(header):
    sheet = read_roster(
        csv_bytes([["a@x.edu", "Ann", "Lee", "7", "student", "A"]], header)
    )
    assert not sheet.problems
    row = sheet.rows[0]
    assert (row.email, row.given_name, row.family_name, row.number, row.role) == (
        "a@x.edu",
        "Ann",
        "Lee",
        "7",
        "learner",
    )
    assert row.cohort == "A"


def test_the_dry_run_lists_every_problem_by_line_and_column():
    data = csv_bytes(
        [
            ["ok@x.edu", "A", "B", "1", "learner", ""],
            ["not-an-email", "A", "B", "2", "learner", ""],
            ["c@x.edu", "A", "B", "3", "wizard", ""],
            ["ok@X.edu", "A", "B", "4", "learner", ""],
            ["d@x.edu", "A", "B", "1", "learner", ""],
            ["e@x.edu", "A", "B", "5", "designer", "Autumn"],
        ]
    )
    problems = [str(p) for p in read_roster(data).problems]
    assert problems == [
        "Line 3, column “email”: “not-an-email” is not an e-mail.",
        "Line 4, column “role”: “wizard” is not a role (use learner, faculty, "
        "designer, reviewer or admin; empty means learner).",
        "Line 5, column “email”: ok@x.edu is also on line 2.",
        "Line 6, column “student_number”: 1 is also on line 2.",
        "Line 7, column “cohort”: only learners and faculty join cohorts.",
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"email\nok@x.edu\nbad\x00@x.edu\n", "Line 3: the file holds a NUL"),
        ("email\nélodie@x.edu\n".encode("latin-1"), "not UTF-8 text"),
        (b'email\n"' + b"a" * 200_000 + b'"\n', "a cell is longer than"),
        (b"name,phone\nAnn,123\n", "no e-mail column"),
        (b"email\n\n", "no people"),
    ],
)
def test_an_unreadable_file_says_why_and_nothing_is_kept(cast, data, message):
    with pytest.raises(RosterFileError, match=message):
        read_roster(data)
    before = counts()
    with pytest.raises(RosterFileError):
        roster.check_roster_upload(
            cast.organization, by=cast["admin"], upload=upload(data)
        )
    assert counts() == before
    assert not RosterImport.objects.exists()


def test_the_upload_page_shows_the_problems_and_keeps_nothing(client, cast):
    client.force_login(cast["admin"])
    data = csv_bytes(
        [["ok@x.edu", "A", "B", "1", "learner", ""], ["bad", "", "", "", "", ""]]
    )
    response = client.post(
        reverse("pathways:roster", args=[cast.organization.slug]),
        {"file": upload(data)},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "1 problem: nothing was imported" in page
    assert "“bad” is not an e-mail." in page
    assert not RosterImport.objects.exists()


def test_the_upload_page_explains_an_unreadable_file(client, cast):
    client.force_login(cast["admin"])
    response = client.post(
        reverse("pathways:roster", args=[cast.organization.slug]),
        {"file": upload(b"email\nx\x00@y\n")},
    )
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()


# ---------------------------------------------------------------- matching


def test_people_are_matched_by_number_then_email_and_conflicts_reported(cast):
    learner = cast["learner"]
    MemberNumber.objects.create(
        organization=cast.organization, user=learner, number="S1"
    )
    data = csv_bytes(
        [
            [learner.email.upper(), "", "", "", "learner", ""],
            [cast["faculty"].email, "", "", "S9", "faculty", ""],
            [cast["designer"].email, "", "", "S1", "designer", ""],
        ]
    )
    plan = roster.plan_roster(cast.organization, data)
    assert plan.matches.users[2] == learner
    assert plan.matches.users[3] == cast["faculty"]
    assert [str(p) for p in plan.problems] == [
        f"Line 4, column “student_number”: S1 belongs to {learner.username}, but "
        f"{cast['designer'].email} is {cast['designer'].username}'s e-mail."
    ]


def test_a_deactivated_member_is_not_brought_back_by_a_roster(cast):
    Deactivation.objects.create(
        organization=cast.organization,
        user=cast["learner"],
        roles=["learner"],
        deactivated_at="2026-01-01T00:00:00Z",
    )
    Membership.objects.filter(user=cast["learner"]).delete()
    plan = roster.plan_roster(
        cast.organization, csv_bytes([[cast["learner"].email, "", "", "", "", ""]])
    )
    assert "is deactivated here" in str(plan.problems[0])


def test_an_unknown_pathway_is_a_problem_of_its_line(cast):
    header = [*HEADER, "pathway"]
    plan = roster.plan_roster(
        cast.organization, csv_bytes(learners(2, pathway="NOPE"), header)
    )
    assert [p.line for p in plan.problems] == [2, 3]
    assert "no published pathway has the code “NOPE”" in str(plan.problems[0])


# ------------------------------------------------------------------ import


def test_a_roster_imports_people_cohorts_and_enrolments(
    cast, pathway, django_capture_on_commit_callbacks
):
    header = [*HEADER, "pathway"]
    rows = [
        *learners(3, pathway="path"),
        ["teach@roster.example.edu", "Tea", "Cher", "T1", "faculty", "Autumn", ""],
        [cast["learner"].email, "", "", "S-OLD", "learner", "Autumn", "PATH"],
    ]
    job = run(cast, csv_bytes(rows, header), django_capture_on_commit_callbacks)
    assert job.status == RosterImport.Status.DONE, job.errors
    assert job.result["new_people"] == 4
    cohort = Cohort.objects.get(organization=cast.organization, name="Autumn")
    assert cohort.learners.count() == 4
    assert list(cohort.graders.values_list("username", flat=True)) == ["teach"]
    assert Enrolment.objects.filter(version=pathway.version).count() == 4
    new = User.objects.get(email="p0@roster.example.edu")
    assert not new.has_usable_password()
    assert (new.first_name, new.last_name) == ("Given0", "Family0")
    assert MemberNumber.objects.get(user=new).number == "S000000"
    assert MemberNumber.objects.get(user=cast["learner"]).number == "S-OLD"
    assert AuditEntry.objects.filter(
        action="roster.imported", organization=cast.organization
    ).exists()
    assert (
        AuditEntry.objects.filter(action="member.added", data__roster=job.pk).count()
        == 4
    )


def test_importing_the_same_file_again_changes_nothing(
    cast, pathway, django_capture_on_commit_callbacks
):
    header = [*HEADER, "pathway"]
    rows = [
        *learners(20, pathway="PATH"),
        ["teach@roster.example.edu", "Tea", "Cher", "T1", "faculty", "Autumn", ""],
    ]
    data = csv_bytes(rows, header)
    run(cast, data, django_capture_on_commit_callbacks)
    before = counts()
    people = set(User.objects.values_list("pk", "username", "first_name", "email"))
    second = run(cast, data, django_capture_on_commit_callbacks)
    assert second.status == RosterImport.Status.DONE
    assert counts() == before
    assert (
        set(User.objects.values_list("pk", "username", "first_name", "email")) == people
    )
    assert second.result["new_people"] == 0
    assert second.result["new_roles"] == 0
    assert second.result["cohort_places"] == 0
    assert second.result["enrolments"] == 0


def test_a_bad_row_at_line_9000_leaves_nothing(cast):
    rows = learners(10_000)
    rows[8998][0] = "broken-address"  # line 9,000: the header is line 1
    before = counts()
    plan, job = roster.check_roster_upload(
        cast.organization, by=cast["admin"], upload=upload(csv_bytes(rows))
    )
    assert job is None
    assert [str(p) for p in plan.problems] == [
        "Line 9000, column “email”: “broken-address” is not an e-mail."
    ]
    assert counts() == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL trigger")
def test_a_failure_while_writing_row_9000_rolls_back_every_row(
    cast, pathway, django_capture_on_commit_callbacks
):
    """The database itself refuses row 9,000's enrolment, after the accounts,
    roles and cohort places of every row were written: none of them stay."""
    rows = learners(10_000, pathway="PATH")
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE FUNCTION refuse_p8998() RETURNS trigger AS $$
            BEGIN
              IF (SELECT email FROM auth_user WHERE id = NEW.learner_id)
                 = 'p8998@roster.example.edu' THEN
                RAISE EXCEPTION 'refused by the test';
              END IF;
              RETURN NEW;
            END $$ LANGUAGE plpgsql;
            CREATE TRIGGER refuse_p8998 BEFORE INSERT ON pathways_enrolment
              FOR EACH ROW EXECUTE FUNCTION refuse_p8998();
            """
        )
    before = counts()
    plan, job = roster.check_roster_upload(
        cast.organization,
        by=cast["admin"],
        upload=upload(csv_bytes(rows, [*HEADER, "pathway"])),
    )
    assert not plan.problems
    with (
        pytest.raises(Exception, match="refused by the test"),  # noqa: PT011
        django_capture_on_commit_callbacks(execute=True),
    ):
        roster.start_roster_import(job, by=cast["admin"])
    assert counts() == before
    assert not User.objects.filter(email__endswith="@roster.example.edu").exists()
    job.refresh_from_db()
    assert job.status == RosterImport.Status.FAILED
    assert "nothing was imported" in job.errors[0]


def test_the_import_checks_again_and_fails_cleanly(
    cast, django_capture_on_commit_callbacks
):
    """Someone changed since the dry run: the job fails, nothing is written."""
    data = csv_bytes(learners(3))
    plan, job = roster.check_roster_upload(
        cast.organization, by=cast["admin"], upload=upload(data)
    )
    clash = User.objects.create(username="clash", email="p1@roster.example.edu")
    MemberNumber.objects.create(organization=cast.organization, user=clash, number="X")
    before = counts()
    with django_capture_on_commit_callbacks(execute=True):
        roster.start_roster_import(job, by=cast["admin"])
    job.refresh_from_db()
    assert job.status == RosterImport.Status.FAILED
    assert "Line 3" in job.errors[0]
    assert counts() == before


def test_the_job_page_shows_the_plan_then_the_result(
    client, cast, django_capture_on_commit_callbacks
):
    client.force_login(cast["admin"])
    response = client.post(
        reverse("pathways:roster", args=[cast.organization.slug]),
        {"file": upload(csv_bytes(learners(5)))},
    )
    job = RosterImport.objects.get()
    assert response["Location"] == job.get_absolute_url()
    page = client.get(job.get_absolute_url()).content.decode()
    assert "make 5 new accounts" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("pathways:roster-start", args=[job.pk]))
    page = client.get(job.get_absolute_url(), HTTP_HX_REQUEST="true").content.decode()
    assert page.lstrip().startswith('<section id="progress"')
    assert "Imported: 5 new accounts" in page


def test_a_running_import_shows_its_progress(client, cast):
    job = RosterImport.objects.create(
        organization=cast.organization,
        filename="r.csv",
        rows=10,
        status=RosterImport.Status.RUNNING,
        created_by=cast["admin"],
    )
    cache.set(roster.progress_key(job.pk), (15, 30))
    client.force_login(cast["admin"])
    page = client.get(job.get_absolute_url()).content.decode()
    assert 'aria-valuenow="50"' in page
    assert 'hx-trigger="every 1s"' in page
    cache.delete(roster.progress_key(job.pk))


# ------------------------------------------------------- cohort enrolment


def test_a_cohort_is_enrolled_in_a_pathway_at_once(client, cast, pathway):
    cohort = Cohort.objects.create(organization=cast.organization, name="Spring")
    cohort.learners.add(cast["learner"], cast["other_learner"])
    client.force_login(cast["admin"])
    url = reverse("pathways:cohort-enrol", args=[pathway.version.pk])
    response = client.post(url, {"cohort": cohort.pk})
    assert response.status_code == 302
    assert set(
        Enrolment.objects.filter(version=pathway.version).values_list(
            "learner", flat=True
        )
    ) == {cast["learner"].pk, cast["other_learner"].pk}
    assert client.post(url, {"cohort": cohort.pk}).status_code == 302  # again: no-op
    assert Enrolment.objects.filter(version=pathway.version).count() == 2
    assert AuditEntry.objects.filter(action="cohort.enrolled").count() == 2


@pytest.mark.parametrize("role", ["faculty", "designer", "learner"])
def test_only_admins_enrol_cohorts(client, cast, pathway, role):
    cohort = Cohort.objects.create(organization=cast.organization, name="Spring")
    client.force_login(cast[role])
    url = reverse("pathways:cohort-enrol", args=[pathway.version.pk])
    assert client.post(url, {"cohort": cohort.pk}).status_code in (403, 404)


# ------------------------------------------------------- many into a cohort


def test_a_pasted_list_adds_everyone_or_names_each_bad_line(client, cast):
    cohort = Cohort.objects.create(organization=cast.organization, name="Spring")
    client.force_login(cast["admin"])
    url = reverse("assessments:cohort-add-many", args=[cohort.pk])
    bad = "\n".join(
        [cast["learner"].username, "nobody-here", cast["faculty"].email, ""]
    )
    response = client.post(url, {"role": "learner", "people": bad})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Line 2: no one has the username or e-mail “nobody-here”." in page
    assert f"Line 3: {cast['faculty'].email} is not a learner" in page
    assert cohort.learners.count() == 0
    good = f"{cast['learner'].username}\n{cast['other_learner'].email.upper()}\n"
    response = client.post(url, {"role": "learner", "people": good})
    assert response.status_code == 302
    assert set(cohort.learners.all()) == {cast["learner"], cast["other_learner"]}


def test_search_and_pick_adds_the_ticked_people(client, cast):
    cohort = Cohort.objects.create(organization=cast.organization, name="Spring")
    client.force_login(cast["admin"])
    learner = cast["learner"]
    found = client.get(
        reverse("assessments:cohort-candidates", args=[cohort.pk]),
        {"q": learner.last_name, "role": "learner"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert f'value="{learner.pk}"' in found
    assert cast["faculty"].username not in found
    client.post(
        reverse("assessments:cohort-add-many", args=[cohort.pk]),
        {"role": "learner", "people": "", "pick": [learner.pk]},
    )
    assert list(cohort.learners.all()) == [learner]
    assert AuditEntry.objects.filter(
        action="cohort.member_added", data__user=learner.pk
    ).exists()


@pytest.mark.parametrize(("role", "status"), [("faculty", 403), ("learner", 404)])
def test_only_admins_add_many_to_a_cohort(client, cast, role, status):
    cohort = Cohort.objects.create(organization=cast.organization, name="Spring")
    client.force_login(cast[role])
    response = client.post(
        reverse("assessments:cohort-add-many", args=[cohort.pk]),
        {"role": "learner", "people": cast["learner"].username},
    )
    assert response.status_code == status
    assert cohort.learners.count() == 0
