"""Letter grades: each platform has a letter scale its admin edits (audited);
an award rule can ask for "a course grade of at least C", and the platform's
scores are read as letters with that scale."""

from decimal import Decimal

import pytest

from accounts.models import AuditEntry
from assessments.models import ModuleCompletion
from integrations.lti.rules import ScaleError, letter_for, parse_scale, scale_of
from integrations.models import LtiAwardRule, LtiPlatform, LtiResultCompletion
from integrations.models.lti import default_letter_scale
from tests import builders
from tests.integrations.lti.conftest import sync, teach

DEFAULT = scale_of(default_letter_scale())


@pytest.mark.parametrize(
    ("percent", "letter"),
    [("100", "A"), ("90", "A"), ("89.99", "B"), ("70", "C"), ("60", "D"), ("0", "F")],
)
def test_a_score_is_read_as_the_highest_letter_it_reaches(percent, letter):
    assert letter_for(Decimal(percent), DEFAULT) == letter


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("A 90\nB\nF 0", "Line 2: write a letter and its lowest percentage"),
        ("A 90\nB eighty\nF 0", "“eighty” is not a percentage"),
        ("A 120\nF 0", "must be from 0 to 100, not 120"),
        ("A 90\nA 80\nF 0", "the letter A is there twice"),
        ("B 80\nA 90\nF 0", "A must start lower than B"),
        ("A 90\nF 10", "The lowest letter, F, must start at 0 %"),
        ("A 0", "Give at least two letters"),
    ],
)
def test_a_scale_that_cannot_be_used_says_why_in_plain_words(text, message):
    with pytest.raises(ScaleError, match=message):
        parse_scale(text)


def test_a_scale_may_be_written_with_signs():
    assert parse_scale("a ≥ 85 %\nb+ 72.5\n\nf 0") == [
        ("A", Decimal(85)),
        ("B+", Decimal("72.5")),
        ("F", Decimal(0)),
    ]


def _platform_url(cast, platform_row):
    return (
        f"/integrations/organizations/{cast.organization.slug}/lti/{platform_row.pk}/"
    )


def test_the_admin_edits_the_letter_scale_and_it_is_audited(cast, client, platform):
    row = LtiPlatform.objects.get()
    assert row.letter_scale == default_letter_scale()
    client.force_login(cast["admin"])
    page = client.get(_platform_url(cast, row))
    assert page.status_code == 200
    assert "A 90\nB 80\nC 70\nD 60\nF 0" in page.context["form"].initial["scale"]
    answer = client.post(
        _platform_url(cast, row), {"scale": "A 85\nB 75\nC 65\nD 55\nF 0"}
    )
    assert answer.status_code == 302
    row.refresh_from_db()
    assert row.letter_scale == [["A", 85], ["B", 75], ["C", 65], ["D", 55], ["F", 0]]
    entry = AuditEntry.objects.get(action="lti.letter_scale_changed")
    assert entry.actor == cast["admin"]
    assert entry.data["before"] == default_letter_scale()
    assert entry.data["after"] == row.letter_scale
    listing = client.get(f"/integrations/organizations/{cast.organization.slug}/lti/")
    assert _platform_url(cast, row) in listing.content.decode()


def test_a_bad_scale_is_refused_with_a_plain_message(cast, client, platform):
    row = LtiPlatform.objects.get()
    client.force_login(cast["admin"])
    page = client.post(_platform_url(cast, row), {"scale": "A 90\nF 10"})
    assert page.status_code == 200
    assert "must start at 0 %, so that every score has a letter" in page.text
    row.refresh_from_db()
    assert row.letter_scale == default_letter_scale()
    assert not AuditEntry.objects.filter(action="lti.letter_scale_changed").exists()


@pytest.mark.parametrize(("role", "status"), [("admin", 200), ("learner", 403)])
def test_only_the_organization_admin_opens_the_platform_page(
    cast, client, platform, role, status
):
    client.force_login(cast[role])
    row = LtiPlatform.objects.get()
    assert client.get(_platform_url(cast, row)).status_code == status


def _letter_course(cast, client, platform, capture):
    task = builders.make_module(cast, "A-101")
    grade = platform.add_line_item("final", "Course grade")
    platform.add_member("student-1", name="Sam Ray", email="sam@example.edu")
    context = teach(client, platform, capture)
    with capture(execute=True):
        answer = client.post(
            f"/integrations/lti/courses/{context.pk}/",
            {
                "module": task.version.module_id,
                "line_items": [grade],
                "min_letter": "C",
            },
        )
    assert answer.status_code == 302
    return context, grade


def test_a_course_grade_of_at_least_c_completes_the_module(
    cast, client, platform, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    context, grade = _letter_course(cast, client, platform, capture)
    rule = LtiAwardRule.objects.get()
    assert (rule.min_letter, rule.min_percent) == ("C", None)
    page = client.get(f"/integrations/lti/courses/{context.pk}/").content.decode()
    assert "A course grade of at least C on “Course grade” completes" in page

    platform.post_score(grade, "student-1", 68)  # D
    with capture(execute=True):
        sync(context)
    assert not ModuleCompletion.objects.exists()

    platform.post_score(grade, "student-1", 72)  # C
    with capture(execute=True):
        sync(context)
    evidence = LtiResultCompletion.objects.get()
    assert evidence.letters == {grade: "C"}
    assert (
        "“Course grade”: 72 %, letter C"
        in (evidence.completion.awards.get().credential["evidence"][0]["narrative"])
    )

    platform.post_score(grade, "student-1", 65)  # D again: voided
    with capture(execute=True):
        sync(context)
    evidence.completion.refresh_from_db()
    assert evidence.completion.voided_at is not None


def test_the_platform_scale_decides_the_letter(
    cast, client, platform, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    context, grade = _letter_course(cast, client, platform, capture)
    client.force_login(cast["admin"])
    client.post(
        _platform_url(cast, context.platform),
        {"scale": "A 80\nB 70\nC 60\nD 50\nF 0"},
    )
    platform.post_score(grade, "student-1", 62)  # C on this scale
    with capture(execute=True):
        sync(context)
    assert ModuleCompletion.objects.live().count() == 1


def test_a_letter_a_rule_asks_for_cannot_be_taken_away(
    cast, client, platform, django_capture_on_commit_callbacks
):
    context, _ = _letter_course(
        cast, client, platform, django_capture_on_commit_callbacks
    )
    client.force_login(cast["admin"])
    page = client.post(
        _platform_url(cast, context.platform), {"scale": "A 90\nB 75\nF 0"}
    )
    assert "A course&#x27;s award rule asks for C: keep the letter" in page.text
    context.platform.refresh_from_db()
    assert context.platform.letter_scale == default_letter_scale()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"min_percent": 80, "min_letter": "C"}, "not both"),
        ({}, "Choose the lowest score or the lowest letter"),
        ({"min_letter": "Z"}, "Select a valid choice"),
    ],
)
def test_a_rule_asks_for_a_score_or_a_letter(
    cast, client, platform, django_capture_on_commit_callbacks, data, message
):
    task = builders.make_module(cast, "A-101")
    grade = platform.add_line_item("final", "Course grade")
    context = teach(client, platform, django_capture_on_commit_callbacks)
    page = client.post(
        f"/integrations/lti/courses/{context.pk}/",
        {"module": task.version.module_id, "line_items": [grade], **data},
    )
    assert page.status_code == 200
    assert message in page.text
    assert not LtiAwardRule.objects.exists()
