"""Registering and removing an organization's OAuth clients."""

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import get_application_model

from accounts.audit import log_action
from accounts.models import Organization
from integrations.models import OAuthClient
from integrations.tokens import services as tokens

Application = get_application_model()
AUTHORIZATION_CODE = Application.GRANT_AUTHORIZATION_CODE
CLIENT_CREDENTIALS = Application.GRANT_CLIENT_CREDENTIALS


@transaction.atomic
def register_client(
    organization: Organization,
    *,
    by: AbstractBaseUser,
    name: str,
    grant: str,
    redirect_uris: Iterable[str] = (),
    public: bool = False,
    roles: Iterable[str] = (),
) -> tuple[OAuthClient, str]:
    """Register an OAuth client of `organization`; returns it and its client
    secret, shown only now (a public client has none worth keeping).

    An authorization-code client acts as each person who consents to it; a
    client-credentials client acts as a service account of its own, holding
    `roles` in this organization only."""
    name = name.strip()
    if grant not in (AUTHORIZATION_CODE, CLIENT_CREDENTIALS):
        raise ValidationError(
            {"grant": "Choose authorization code or client credentials."}
        )
    if grant == CLIENT_CREDENTIALS and public:
        raise ValidationError(
            {"public": "A client-credentials client must keep a secret."}
        )
    service_account = None
    if grant == CLIENT_CREDENTIALS:
        service_account = tokens.create_service_account(
            organization, by=by, name=f"OAuth client: {name}", roles=roles
        )
    secret = generate_client_secret()
    application = Application(
        name=name,
        user=service_account.user if service_account else None,
        client_type=Application.CLIENT_PUBLIC
        if public
        else Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=grant,
        redirect_uris=" ".join(redirect_uris),
        client_secret=secret,
        algorithm=Application.NO_ALGORITHM,
    )
    application.full_clean(exclude=["client_secret"])
    application.save()
    client = OAuthClient.objects.create(
        organization=organization,
        application=application,
        service_account=service_account,
        created_by=by,
    )
    log_action(
        by,
        "oauth_client.registered",
        client,
        organization=organization,
        name=name,
        grant=grant,
        client_id=application.client_id,
    )
    return client, secret


@transaction.atomic
def remove_client(client: OAuthClient, *, by: AbstractBaseUser) -> None:
    """Remove a client: its tokens and grants stop working at once."""
    client = OAuthClient.objects.select_for_update().get(pk=client.pk)
    log_action(
        by,
        "oauth_client.removed",
        client,
        organization=client.organization,
        name=client.application.name,
        client_id=client.application.client_id,
    )
    if client.service_account is not None:
        tokens.deactivate_service_account(client.service_account, by=by)
    # Deleting the application deletes its tokens, grants and this record.
    client.application.delete()
