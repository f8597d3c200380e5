"""Issuer keys: sealed at rest, rotated, marked compromised; did:web per issuer."""

import time
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from credentials import dataintegrity, keystore, services
from credentials.models import Award, SigningKey
from tests import builders
from tests.credentials.conftest import served
from tests.credentials.jsverifier import verify_with_node


def test_a_seed_is_stored_sealed_and_opens_only_with_the_configured_key(
    issued, settings
):
    key = issued.signing_key
    seed = key.open_seed()
    assert dataintegrity.public_key_multibase(seed) == key.public_multibase
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT encrypted_seed FROM credentials_signingkey WHERE id = %s", [key.pk]
        )
        (stored,) = cursor.fetchone()
    assert seed not in bytes(stored)
    configured = settings.CAIRN_KEY_ENCRYPTION_KEY
    settings.CAIRN_KEY_ENCRYPTION_KEY = "a-different-secret"
    with pytest.raises(keystore.KeyDecryptionError):
        key.open_seed()
    # While re-wrapping, the old secret may follow the new one.
    settings.CAIRN_KEY_ENCRYPTION_KEY = f"a-different-secret,{configured}"
    assert key.open_seed() == seed


def test_a_sealed_seed_does_not_open_on_another_keys_row():
    seed = dataintegrity.generate_seed()
    sealed = keystore.seal_seed(
        seed, public_multibase=dataintegrity.public_key_multibase(seed)
    )
    other = dataintegrity.public_key_multibase(dataintegrity.generate_seed())
    with pytest.raises(keystore.KeyDecryptionError):
        keystore.open_seed(sealed, public_multibase=other)


def test_an_empty_key_encryption_key_stops_signing(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.CAIRN_KEY_ENCRYPTION_KEY = ""
    with pytest.raises(ImproperlyConfigured):
        keystore.seal_seed(bytes(32), public_multibase="z6Mk")


@pytest.fixture
def web(settings):
    settings.CAIRN_DID_METHOD = "web"
    settings.SITE_URL = "https://credentials.example.edu"


def _node(client, award) -> dict:
    award = Award.objects.get(pk=award.pk)
    return verify_with_node(award.credential, **served(client, award.credential))


@pytest.mark.node
def test_each_organization_has_its_own_did_web_document(client, cast, web, issued):
    did = issued.credential["issuer"]["id"]
    slug = cast.organization.slug
    assert did == f"did:web:credentials.example.edu:credentials:issuers:{slug}"
    document = client.get(
        reverse("credentials:issuer-did", args=[cast.organization.slug])
    ).json()
    assert document["id"] == did
    key = issued.signing_key.public_multibase
    # Each key as a Multikey, and as an Ed25519VerificationKey2020 for what is
    # signed with Ed25519Signature2020 (wallet copies for older wallets).
    assert document["assertionMethod"] == [
        f"{did}#{key}",
        f"{did}#ed25519-2020-{key}",
    ]
    assert [m["type"] for m in document["verificationMethod"]] == [
        "Multikey",
        "Ed25519VerificationKey2020",
    ]
    result = _node(client, issued)
    assert result["verified"] is True, result
    # The site-wide document still lists every key, for older credentials.
    site = client.get("/.well-known/did.json").json()
    assert site["id"] == "did:web:credentials.example.edu"
    assert issued.signing_key.public_multibase in str(site["verificationMethod"])


@pytest.mark.node
def test_a_credential_signed_before_a_rotation_still_verifies(
    client, cast, pathway, web, issued, django_capture_on_commit_callbacks
):
    old_key = issued.signing_key
    new_key = services.rotate_signing_key(cast.organization, by=cast["admin"])
    assert new_key.is_active
    assert not SigningKey.objects.get(pk=old_key.pk).is_active
    with django_capture_on_commit_callbacks(execute=True):
        builders.submit_and_pass(pathway.tasks[1], cast["learner"], cast["faculty"])
    later = Award.objects.exclude(pk=issued.pk).get()
    assert later.signing_key == new_key
    document = client.get(
        reverse("credentials:issuer-did", args=[cast.organization.slug])
    ).json()
    listed = [
        m["publicKeyMultibase"]
        for m in document["verificationMethod"]
        if m["type"] == "Multikey"
    ]
    assert listed == [new_key.public_multibase, old_key.public_multibase]
    for award in (issued, later):
        assert _node(client, award)["verified"] is True
        assert services.verify_award(award).status == "valid"


@pytest.mark.node
def test_what_a_compromised_key_signed_after_its_date_is_revoked(
    client, cast, pathway, web, issued, django_capture_on_commit_callbacks
):
    key = issued.signing_key
    # Proofs state their time to the second: start the compromise in the next.
    time.sleep(1.05)
    since = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        builders.submit_and_pass(pathway.tasks[1], cast["learner"], cast["faculty"])
    after = Award.objects.exclude(pk=issued.pk).get()
    assert after.signing_key == key
    assert after.issued_at >= since
    with django_capture_on_commit_callbacks(execute=True):
        revoked = services.mark_key_compromised(
            key, by=cast["admin"], since=since, reason="Laptop stolen."
        )
    assert revoked == 1
    key.refresh_from_db()
    assert key.is_compromised
    assert not key.is_active
    result = _node(client, after)
    assert result["verified"] is False
    assert result["status"]["revocation"] is True
    verification = services.verify_award(after)
    assert verification.status == "revoked"
    assert "compromised" in verification.headline
    # Signed before the compromise: still valid, also through re-signed lists.
    assert _node(client, issued)["verified"] is True
    assert services.verify_award(issued).status == "valid"


@pytest.mark.parametrize(
    ("since", "reason", "field"),
    [
        (timedelta(days=1), "Stolen.", "since"),
        (timedelta(0), "  ", "reason"),
    ],
)
def test_a_compromise_with_bad_input_is_refused(issued, cast, since, reason, field):
    with pytest.raises(ValidationError) as raised:
        services.mark_key_compromised(
            issued.signing_key,
            by=cast["admin"],
            since=timezone.now() + since,
            reason=reason,
        )
    assert field in raised.value.message_dict
    assert not SigningKey.objects.get(pk=issued.signing_key.pk).is_compromised


@pytest.mark.parametrize(("role", "status"), [("admin", 302), ("designer", 403)])
def test_admins_rotate_keys_in_the_browser(client, cast, issued, role, status):
    client.force_login(cast[role])
    url = reverse("credentials:rotate-key", args=[cast.organization.slug])
    assert client.post(url).status_code == status
    assert SigningKey.objects.filter(organization=cast.organization).count() == (
        2 if status == 302 else 1
    )


def test_the_issuer_page_shows_keys_only_to_admins(client, cast, issued):
    url = reverse("credentials:issuer", args=[cast.organization.slug])
    public = client.get(url).text
    assert "Signing keys" not in public
    assert "Report compromised" not in public
    client.force_login(cast["admin"])
    page = client.get(url).text
    assert f"<code>{issued.signing_key.public_multibase[:20]}" in page
    assert "Report compromised" in page


def test_reporting_a_compromise_in_the_browser(client, cast, issued):
    client.force_login(cast["admin"])
    url = reverse(
        "credentials:compromise-key",
        args=[cast.organization.slug, issued.signing_key.pk],
    )
    assert client.get(url).status_code == 200
    since = (timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    missing = client.post(url, {"since": since, "reason": "Leaked."})
    assert "This field is required" in missing.text
    response = client.post(url, {"since": since, "reason": "Leaked.", "confirm": "on"})
    assert response.status_code == 302
    assert Award.objects.get(pk=issued.pk).is_revoked


def test_rewrapping_moves_every_key_to_a_new_key_encryption_key(issued, settings):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    seed = issued.signing_key.open_seed()
    old = settings.CAIRN_KEY_ENCRYPTION_KEY
    settings.CAIRN_KEY_ENCRYPTION_KEY = "brand-new-secret"
    with pytest.raises(CommandError, match="no configured"):
        call_command("rewrap_signing_keys")
    settings.CAIRN_KEY_ENCRYPTION_KEY = f"brand-new-secret,{old}"
    call_command("rewrap_signing_keys")
    settings.CAIRN_KEY_ENCRYPTION_KEY = "brand-new-secret"
    assert SigningKey.objects.get(pk=issued.signing_key.pk).open_seed() == seed


@pytest.mark.parametrize("method", ["key", "web"])
def test_the_issuer_page_names_the_identifier_credentials_carry(
    client, settings, cast, issued, method
):
    """Under did:key the identifier is the active key's (it changes on rotation);
    under did:web it is the organization's, with its DID document."""
    settings.CAIRN_DID_METHOD = method
    url = reverse("credentials:issuer", args=[cast.organization.slug])
    page = client.get(url).text
    expected = services.current_issuer_did(cast.organization)
    assert expected in page
    if method == "web":
        assert expected == services.organization_did(cast.organization)
        assert "DID document" in page
    else:
        assert expected == issued.credential["issuer"]["id"]
        assert expected.startswith("did:key:")
        assert "DID document" not in page
        client.force_login(cast["admin"])
        client.post(reverse("credentials:rotate-key", args=[cast.organization.slug]))
        after = services.current_issuer_did(cast.organization)
        assert after != expected
        assert after in client.get(url).text
