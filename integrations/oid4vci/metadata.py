"""What a wallet reads before it asks: the credential issuer metadata and the
authorization server metadata, for OpenID4VCI draft 15 (the version Sphereon's
maintained client speaks) with the fields 1.0 moved kept in both places.

Pure: the caller passes the site's address. The site is one credential issuer;
the credentials it issues name their organization's DID as `issuer`.

The authorization server is named `<site>/oid4vci` (`authorization_servers`),
not the site itself, so that its metadata, which offers only the
pre-authorized code grant, never stands in the way of the site's OAuth 2.0
provider (`/oauth/`) should that publish RFC 8414 metadata of its own.
"""

from typing import Any

from credentials import dataintegrity, openbadges
from integrations.oid4vci import proofs

GRANT_TYPE = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
CONFIGURATION_ID = "OpenBadgeCredential_ldp_vc"
FORMAT = "ldp_vc"
AUTHORIZATION_SERVER_PATH = "/oid4vci"
BRAND = "#1d2b45"  # the colour of Cairn's QR codes and headings

_CREDENTIAL_DISPLAY = [
    {
        "name": "Open Badge",
        "locale": "en",
        "description": (
            "A micro-credential or pathway earned at an institution that uses "
            "Cairn: an Open Badges 3.0 credential."
        ),
        "background_color": BRAND,
        "text_color": "#ffffff",
    }
]


def authorization_server(site_url: str) -> str:
    return f"{site_url}{AUTHORIZATION_SERVER_PATH}"


def endpoints(site_url: str) -> dict[str, str]:
    base = authorization_server(site_url)
    return {
        "token": f"{base}/token",
        "nonce": f"{base}/nonce",
        "credential": f"{base}/credential",
    }


def credential_configuration() -> dict[str, Any]:
    """The one credential Cairn offers: an award signed with Data Integrity
    (eddsa-rdfc-2022) on VC 2.0, bound to a did:key or did:jwk."""
    return {
        "format": FORMAT,
        "scope": "OpenBadgeCredential",
        "cryptographic_binding_methods_supported": list(proofs.BINDING_METHODS),
        # For ldp_vc these are Data Integrity cryptosuites (draft 15, A.1.2).
        "credential_signing_alg_values_supported": [dataintegrity.CRYPTOSUITE],
        "proof_types_supported": {
            "jwt": {
                "proof_signing_alg_values_supported": list(proofs.SIGNING_ALGORITHMS)
            }
        },
        "credential_definition": {
            "@context": list(openbadges.CREDENTIAL_CONTEXT),
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
        },
        "display": _CREDENTIAL_DISPLAY,  # draft 15
        "credential_metadata": {"display": _CREDENTIAL_DISPLAY},  # 1.0
    }


def issuer_metadata(site_url: str) -> dict[str, Any]:
    """/.well-known/openid-credential-issuer (draft 15 section 11.2)."""
    urls = endpoints(site_url)
    return {
        "credential_issuer": site_url,
        "authorization_servers": [authorization_server(site_url)],
        "credential_endpoint": urls["credential"],
        "nonce_endpoint": urls["nonce"],
        "display": [{"name": "Cairn", "locale": "en"}],
        "credential_configurations_supported": {
            CONFIGURATION_ID: credential_configuration()
        },
    }


def authorization_server_metadata(site_url: str) -> dict[str, Any]:
    """RFC 8414 metadata of the authorization server that takes pre-authorized
    codes; it has no authorization endpoint, so no response types."""
    return {
        "issuer": authorization_server(site_url),
        "token_endpoint": endpoints(site_url)["token"],
        "grant_types_supported": [GRANT_TYPE],
        "response_types_supported": [],
        "token_endpoint_auth_methods_supported": ["none"],
        "pre-authorized_grant_anonymous_access_supported": True,
    }
