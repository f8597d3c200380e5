import pytest

from accounts.sso import errors, mapping

RULES = [
    mapping.Rule("groups", "faculty-staff", "faculty"),
    mapping.Rule("groups", "curriculum", "designer"),
    mapping.Rule("eduPersonAffiliation", "student", "learner"),
]


@pytest.mark.parametrize(
    ("claims", "default", "roles"),
    [
        ({"groups": ["faculty-staff"]}, "learner", {"faculty"}),
        ({"groups": ["Faculty-Staff ", "curriculum"]}, "", {"faculty", "designer"}),
        ({"groups": "curriculum"}, "", {"designer"}),
        ({"eduPersonAffiliation": ["member", "student"]}, "", {"learner"}),
        ({"groups": ["library"]}, "learner", {"learner"}),
        ({"groups": ["library"]}, "", set()),
        ({}, "", set()),
    ],
)
def test_roles_come_from_the_rules_that_hold(claims, default, roles):
    assert mapping.roles_from(claims, RULES, default_role=default) == roles


def test_the_provider_manages_only_the_roles_its_rules_name():
    assert mapping.managed_roles(RULES, default_role="learner") == {
        "faculty",
        "designer",
        "learner",
    }


@pytest.mark.parametrize(
    ("claims", "verified"),
    [
        ({"email": "A@X.EDU", "email_verified": True}, True),
        ({"email": "a@x.edu", "email_verified": "true"}, True),
        ({"email": "a@x.edu", "email_verified": False}, False),
        ({"email": "a@x.edu"}, False),
        ({"mail": ["a@x.edu"], "email_verified": ["1"]}, True),
    ],
)
def test_an_email_is_verified_only_when_the_provider_says_so(claims, verified):
    person = mapping.person_from(claims)
    assert person.email == "a@x.edu"
    assert person.email_verified is verified


def test_named_attributes_win_over_the_usual_names():
    person = mapping.person_from(
        {"email": "a@x.edu", "work_mail": "b@x.edu", "first": "Ada", "sn": "L"},
        email_attribute="work_mail",
        given_name_attribute="first",
    )
    assert (person.email, person.given_name, person.family_name) == (
        "b@x.edu",
        "Ada",
        "L",
    )


def test_rules_are_read_line_by_line_with_problems_by_line():
    rules, problems = mapping.parse_rules(
        "groups, faculty-staff, faculty\n\n# a comment\ngroups, x\n"
        "groups, a,b, learner\ngroups, y, dean\n",
        roles=["faculty", "learner"],
    )
    assert rules == [
        mapping.Rule("groups", "faculty-staff", "faculty"),
        mapping.Rule("groups, a", "b", "learner"),
    ]
    assert problems[0].startswith("Line 4:")
    assert problems[1].startswith("Line 6: 'dean' is no role")


def test_domains_are_normalised():
    assert mapping.normalise_domains("@North.edu, staff.north.edu\nnorth.edu") == [
        "north.edu",
        "staff.north.edu",
    ]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Signature validation failed. SAML Response rejected", "forged"),
        ("Could not validate timestamp: expired. Check system clock.", "expired"),
        (
            "Invalid audience for this Response (expected 'a', got 'b')",
            "wrong-audience",
        ),
        ("Invalid issuer in the Assertion/Response", "wrong-issuer"),
        ("The Assertion of the Response is not signed and the SP require it", "forged"),
        ("Something else", "failed"),
    ],
)
def test_saml_errors_are_named(text, reason):
    assert errors.reason_for_saml(text) == reason
