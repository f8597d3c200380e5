"""The tool's own RSA key pair per organization: made once, sealed at rest,
its public half served as a JSON Web Key Set (LTI 1.3 core §6.3; the
platform checks Cairn's client assertions and deep-linking responses with it)."""

import json
import secrets

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.db import IntegrityError, transaction
from jwcrypto.jwk import JWK

from accounts.audit import log_action
from accounts.models import Organization
from integrations.models import LtiToolKey

# 2048 bits is what LTI platforms (Canvas, Moodle, Blackboard) expect for RS256.
KEY_BITS = 2048


def _new_key(organization: Organization) -> LtiToolKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    kid = secrets.token_urlsafe(16)
    public = JWK.from_pem(
        private.public_key().public_bytes(
            serialization.Encoding.PEM,
            serialization.PublicFormat.SubjectPublicKeyInfo,
        )
    )
    jwk = json.loads(public.export_public())
    jwk.update({"kid": kid, "alg": "RS256", "use": "sig"})
    key = LtiToolKey(organization=organization, kid=kid, public_jwk=jwk)
    key.seal_private_key(pem)
    return key


def tool_key(organization: Organization) -> LtiToolKey:
    """The organization's active tool key, made on first use."""
    found = LtiToolKey.objects.filter(organization=organization, is_active=True).first()
    if found:
        return found
    key = _new_key(organization)
    try:
        with transaction.atomic():
            key.save()
            log_action(None, "lti.tool_key_created", key, organization=organization)
    except IntegrityError:
        # Another request made it first: the constraint decided.
        return LtiToolKey.objects.get(organization=organization, is_active=True)
    return key


def tool_jwks(organization: Organization) -> dict:
    """Every key of the organization, so that what an old key signed still checks."""
    tool_key(organization)
    keys = LtiToolKey.objects.filter(organization=organization)
    return {"keys": [key.public_jwk for key in keys]}
