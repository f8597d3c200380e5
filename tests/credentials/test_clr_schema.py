"""The CLR Cairn issues against 1EdTech's CLR 2.0 ClrCredential JSON Schema."""

import copy
import json
from pathlib import Path

import pytest
from jsonschema import Draft201909Validator

from credentials import services
from pathways import services as pathway_services
from tests import builders

# 1EdTech's CLR 2.0 ClrCredential schema (tests/data/schemas/SOURCE.md). Its
# $refs are all internal (#/$defs/...), embedded credentials included.
CLR_SCHEMA_PATH = (
    Path(__file__).resolve().parents[1]
    / "data"
    / "schemas"
    / "clr_v2p0_clrcredential_schema.json"
)


@pytest.fixture(scope="module")
def clr_validator() -> Draft201909Validator:
    schema = json.loads(CLR_SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft201909Validator.check_schema(schema)
    return Draft201909Validator(
        schema, format_checker=Draft201909Validator.FORMAT_CHECKER
    )


@pytest.fixture
def record(cast, pathway, django_capture_on_commit_callbacks):
    """A signed CLR of a learner holding module awards and the pathway award."""
    with django_capture_on_commit_callbacks(execute=True):
        pathway_services.enrol(cast["learner"], pathway.version)
    for task in pathway.tasks:
        with django_capture_on_commit_callbacks(execute=True):
            builders.submit_and_pass(task, cast["learner"], cast["faculty"])
    return services.learner_clr(cast["learner"], cast.organization)


def _errors(validator, document) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(document)
    ]


def test_the_issued_clr_validates_against_the_clr_schema(record, clr_validator):
    subject = record["credentialSubject"]
    kinds = {
        c["credentialSubject"]["achievement"]["achievementType"]
        for c in subject["verifiableCredential"]
    }
    assert len(subject["verifiableCredential"]) == 4
    assert len(kinds) == 2  # module awards and the pathway award
    assert subject["association"]
    assert "proof" in record
    assert _errors(clr_validator, record) == []


def test_the_embedded_credentials_validate_as_open_badges(record, schema_validator):
    """Each credential in the record is the signed OB 3.0 credential as issued,
    single credentialStatus object included."""
    for credential in record["credentialSubject"]["verifiableCredential"]:
        assert "credentialStatus" in credential
        assert _errors(schema_validator, credential) == []


@pytest.mark.parametrize(
    "break_it",
    [
        lambda d: d["credentialSubject"].pop("verifiableCredential"),
        lambda d: d["credentialSubject"]["association"][0].update(
            associationType="contains"
        ),
        lambda d: d["credentialSubject"]["achievement"][0].pop("criteria"),
        lambda d: d.update(type=["VerifiableCredential"]),
        lambda d: d["@context"].pop(1),
        lambda d: d["credentialSubject"]["verifiableCredential"][0].pop("issuer"),
        lambda d: d.update(credentialStatus=[{"type": "BitstringStatusListEntry"}]),
    ],
    ids=[
        "no-credentials",
        "unknown-association",
        "achievement-without-criteria",
        "not-a-clr",
        "no-clr-context",
        "embedded-credential-without-issuer",
        "status-as-list",
    ],
)
def test_the_schema_rejects_a_broken_record(record, clr_validator, break_it):
    broken = copy.deepcopy(record)
    break_it(broken)
    assert _errors(clr_validator, broken) != []


def test_with_suspension_entries_only_the_embedded_status_lists_are_refused(
    cast, pathway, django_capture_on_commit_callbacks, clr_validator
):
    """A suspension entry makes credentialStatus a list of two entries,
    which the CLR schema (like OB 3.0's) types as one object. The embedded
    credentials are signed as issued, so the CLR cannot reshape them: the
    schema's complaints are exactly those lists, and each entry is itself a
    valid CredentialStatus."""
    builders.with_suspension_entries(cast)
    with django_capture_on_commit_callbacks(execute=True):
        pathway_services.enrol(cast["learner"], pathway.version)
        builders.submit_and_pass(pathway.tasks[0], cast["learner"], cast["faculty"])
    record = services.learner_clr(cast["learner"], cast.organization)
    credentials = record["credentialSubject"]["verifiableCredential"]
    assert not clr_validator.is_valid(record)
    for credential in credentials:
        assert len(credential["credentialStatus"]) == 2
    # The same record with each list cut to its first entry validates.
    one_each = copy.deepcopy(record)
    for credential in one_each["credentialSubject"]["verifiableCredential"]:
        credential["credentialStatus"] = credential["credentialStatus"][0]
    assert _errors(clr_validator, one_each) == []
    status_schema = clr_validator.schema["$defs"]["CredentialStatus"]
    for credential in credentials:
        for entry in credential["credentialStatus"]:
            assert clr_validator.evolve(schema=status_schema).is_valid(entry)
