"""The documents the Open Badges 3.0 API answers with, composed from plain
values (no ORM): the service description document, the Imsx_StatusInfo error
shape, a person's Profile and the paging headers (OB 3.0 §6, §7)."""

import uuid
from typing import Any
from urllib.parse import urlencode

from integrations.ob3 import scopes

OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
SCHEMA_BASE = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
# A namespace for the people's profile ids: stable, and saying nothing of the
# database's keys.
PROFILE_NAMESPACE = uuid.UUID("6f0d5d3e-6a39-4c39-9d0b-1d7a7e3b0b17")

# HTTP status -> the imsx_codeMinorFieldValue the specification's enumeration
# has for it (it has no "not found": "unknown" is the nearest).
CODE_MINOR = {
    400: "invalid_data",
    401: "unauthorizedrequest",
    403: "forbidden",
    404: "unknown",
    405: "not_allowed",
    406: "not_acceptable",
    415: "not_acceptable",
    429: "server_busy",
    500: "internal_server_error",
}


def status_info(status: int, description: str, *, minor: str = "") -> dict[str, Any]:
    """An Imsx_StatusInfo for a refused or failed call."""
    return {
        "imsx_codeMajor": "failure",
        "imsx_severity": "error",
        "imsx_description": description,
        "imsx_codeMinor": {
            "imsx_codeMinorField": [
                {
                    "imsx_codeMinorFieldName": "TargetEndSystem",
                    "imsx_codeMinorFieldValue": minor
                    or CODE_MINOR.get(status, "unknown"),
                }
            ]
        },
    }


def _error_responses(*codes: int) -> dict[str, Any]:
    status = {"$ref": "#/components/schemas/Imsx_StatusInfo"}
    answers = {
        str(code): {
            "description": description,
            "content": {"application/json": {"schema": status}},
        }
        for code, description in (
            (400, "The request is not understood; the payload says why."),
            (401, "No valid access token was sent."),
            (403, "The access token does not allow this call."),
            (404, "Nothing is there."),
            (405, "The method is not allowed here."),
            (500, "Something failed in Cairn."),
        )
        if code in codes
    }
    answers["default"] = {
        "description": "The request was invalid or cannot be served.",
        "content": {"application/json": {"schema": status}},
    }
    return answers


def _secured(scope: str) -> list[dict[str, list[str]]]:
    return [{"OAuth2ACG": [scope]}]


def service_description(
    *,
    site_url: str,
    name: str,
    privacy_policy_url: str,
    terms_of_service_url: str,
    authorization_url: str,
    token_url: str,
    registration_url: str,
    scope_descriptions: dict[str, str],
) -> dict[str, Any]:
    """The ServiceDescriptionDocument (OB 3.0 §6.3, §7.1.1.1): an OpenAPI 3.0
    document of this API, whose OAuth2ACG scheme tells a host where to
    register, authorize and get tokens."""
    credential = {"$ref": "#/components/schemas/AchievementCredential"}
    profile = {"$ref": "#/components/schemas/Profile"}
    paging = {
        "next": {"$ref": "#/components/links/next"},
        "last": {"$ref": "#/components/links/last"},
        "first": {"$ref": "#/components/links/first"},
        "prev": {"$ref": "#/components/links/prev"},
    }
    credential_answer = {
        "content": {
            "application/json": {"schema": credential},
            "text/plain": {"schema": {"$ref": "#/components/schemas/CompactJws"}},
        }
    }
    return {
        "openapi": "3.0.1",
        "info": {
            "title": f"{name}: Open Badges 3.0 API",
            "description": "The 1EdTech Open Badges 3.0 API of this site: a host "
            "registers itself, a person allows it, and it reads and stores that "
            "person's credentials and profile.",
            "version": "3.0",
            "termsOfService": terms_of_service_url,
            "x-imssf-privacyPolicyUrl": privacy_policy_url,
        },
        "servers": [{"url": f"{site_url}/ims/ob/v3p0"}],
        "tags": [
            {
                "name": "OpenBadgeCredentials",
                "description": "These endpoints are used to exchange "
                "OpenBadgeCredentials and Profile information.",
            },
            {"name": "Discovery"},
        ],
        "paths": {
            "/credentials": {
                "get": {
                    "tags": ["OpenBadgeCredentials"],
                    "summary": "The REST GET operation for the getCredentials() "
                    "API call.",
                    "operationId": "getCredentials",
                    "parameters": [
                        {
                            "name": "limit",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "integer", "minimum": 1},
                        },
                        {
                            "name": "offset",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "integer", "minimum": 0},
                        },
                        {
                            "name": "since",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string", "format": "date-time"},
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "The person's credentials, a page of them.",
                            "headers": {
                                "X-Total-Count": {
                                    "$ref": "#/components/headers/X-Total-Count"
                                }
                            },
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "$ref": "#/components/schemas/"
                                        "GetOpenBadgeCredentialsResponse"
                                    }
                                }
                            },
                            "links": paging,
                        },
                        **_error_responses(400, 401, 403, 405, 500),
                    },
                    "security": _secured(scopes.CREDENTIAL_READONLY),
                },
                "post": {
                    "tags": ["OpenBadgeCredentials"],
                    "summary": "The REST POST operation for the upsertCredential() "
                    "API call.",
                    "operationId": "upsertCredential",
                    "requestBody": {"required": True, **credential_answer},
                    "responses": {
                        "200": {"description": "Replaced.", **credential_answer},
                        "201": {"description": "Created.", **credential_answer},
                        **_error_responses(400, 401, 403, 404, 405, 500),
                    },
                    "security": _secured(scopes.CREDENTIAL_UPSERT),
                },
            },
            "/profile": {
                "get": {
                    "tags": ["OpenBadgeCredentials"],
                    "summary": "The REST GET operation for the getProfile() API call.",
                    "operationId": "getProfile",
                    "responses": {
                        "200": {
                            "description": "The person's profile.",
                            "content": {"application/json": {"schema": profile}},
                        },
                        **_error_responses(400, 401, 403, 404, 405, 500),
                    },
                    "security": _secured(scopes.PROFILE_READONLY),
                },
                "put": {
                    "tags": ["OpenBadgeCredentials"],
                    "summary": "The REST PUT operation for the putProfile() API call.",
                    "operationId": "putProfile",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": profile}},
                    },
                    "responses": {
                        "200": {
                            "description": "The profile as it is now.",
                            "content": {"application/json": {"schema": profile}},
                        },
                        **_error_responses(400, 401, 403, 404, 405, 500),
                    },
                    "security": _secured(scopes.PROFILE_UPDATE),
                },
            },
            "/discovery": {
                "get": {
                    "tags": ["Discovery"],
                    "summary": "The REST GET operation for the "
                    "getServiceDescription() API call.",
                    "operationId": "getServiceDescription",
                    "responses": {
                        "200": {
                            "description": "This document.",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "$ref": "#/components/schemas/"
                                        "ServiceDescriptionDocument"
                                    }
                                }
                            },
                        },
                        **_error_responses(500),
                    },
                }
            },
        },
        "components": {
            "schemas": {
                name: {
                    "type": "object",
                    "description": f"1EdTech's {name}.",
                    "externalDocs": {"url": f"{SCHEMA_BASE}{schema}"},
                }
                for name, schema in (
                    (
                        "AchievementCredential",
                        "ob_v3p0_achievementcredential_schema.json",
                    ),
                    (
                        "GetOpenBadgeCredentialsResponse",
                        "ob_v3p0_getopenbadgecredentialsresponse_schema.json",
                    ),
                    ("Profile", "ob_v3p0_profile_schema.json"),
                    ("Imsx_StatusInfo", "ob_v3p0_imsx_statusinfo_schema.json"),
                )
            }
            | {
                "ServiceDescriptionDocument": {
                    "type": "object",
                    "description": "This document: an OpenAPI 3.0 document.",
                },
                "CompactJws": {
                    "type": "string",
                    "pattern": r"^[a-zA-Z0-9_-]+\.[a-zA-Z0-9_-]*\.[a-zA-Z0-9_-]+$",
                },
            },
            "headers": {
                "X-Total-Count": {
                    "description": "The total number of credentials.",
                    "schema": {"type": "integer"},
                }
            },
            "links": {
                rel: {
                    "operationId": "getCredentials",
                    "parameters": {
                        "limit": "$request.query.limit",
                        "offset": "$request.query.offset",
                    },
                }
                for rel in ("next", "last", "first", "prev")
            },
            "securitySchemes": {
                "OAuth2ACG": {
                    "type": "oauth2",
                    "description": "OAuth 2.0 Authorization Code Grant "
                    "authorization, with PKCE (S256)",
                    "x-imssf-name": name,
                    "x-imssf-privacyPolicyUrl": privacy_policy_url,
                    "x-imssf-registrationUrl": registration_url,
                    "x-imssf-termsOfServiceUrl": terms_of_service_url,
                    "flows": {
                        "authorizationCode": {
                            "authorizationUrl": authorization_url,
                            "tokenUrl": token_url,
                            "refreshUrl": token_url,
                            "scopes": scope_descriptions,
                        }
                    },
                }
            },
        },
    }


def profile_id(site_url: str, user_pk: int) -> str:
    """A person's Profile id: a URN stable for this site and person."""
    return uuid.uuid5(PROFILE_NAMESPACE, f"{site_url}/people/{user_pk}").urn


def profile(
    *, identifier: str, given_name: str, family_name: str, name: str, email: str
) -> dict[str, Any]:
    """A person's Profile (OB 3.0 §B.1.x), with what Cairn keeps of them."""
    document: dict[str, Any] = {
        "@context": [OB3_CONTEXT],
        "id": identifier,
        "type": ["Profile"],
        "name": name,
    }
    if given_name:
        document["givenName"] = given_name
    if family_name:
        document["familyName"] = family_name
    if email:
        document["email"] = email
    return document


def page_links(url: str, *, limit: int, offset: int, total: int, **query: str) -> str:
    """The Link header of one page of getCredentials (RFC 8288): first, last,
    and next and prev where there are such pages."""

    def link(at: int, rel: str) -> str:
        params = {**{k: v for k, v in query.items() if v}, "limit": limit}
        params["offset"] = at
        return f'<{url}?{urlencode(params)}>; rel="{rel}"'

    last = max(0, (total - 1) // limit * limit) if total else 0
    links = []
    if offset + limit < total:
        links.append(link(offset + limit, "next"))
    links.append(link(last, "last"))
    links.append(link(0, "first"))
    if offset > 0:
        links.append(link(max(0, offset - limit), "prev"))
    return ", ".join(links)


# Properties the JSON-LD compacted form may give as one value and 1EdTech's
# JSON schema wants as arrays (OB 3.0 "Compacted document form").
ARRAY_PROPERTIES = ("proof", "credentialSchema", "termsOfUse")


def strict_json(credential: dict[str, Any]) -> dict[str, Any]:
    """A credential in the strict JSON form 1EdTech's schemas validate: the
    same JSON-LD (a single value and a one-item array expand alike, so every
    proof still verifies), with those properties as arrays."""
    return {
        name: [value] if name in ARRAY_PROPERTIES and isinstance(value, dict) else value
        for name, value in credential.items()
    }
