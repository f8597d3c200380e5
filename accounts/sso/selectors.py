"""Reads for single sign-on: an organization's providers, and which provider
serves an e-mail address."""

from django.db.models import Count, QuerySet

from accounts.models import IdentityProvider, Organization
from accounts.sso import mapping


def identity_providers(organization: Organization) -> QuerySet[IdentityProvider]:
    return organization.identity_providers.annotate(
        rule_count=Count("role_rules")
    ).order_by("name")


def active_identity_providers() -> QuerySet[IdentityProvider]:
    return IdentityProvider.objects.filter(is_active=True).select_related(
        "organization"
    )


def provider_for_email(email: str) -> IdentityProvider | None:
    """The active provider serving the e-mail's domain, if one does."""
    _, _, domain = email.strip().lower().rpartition("@")
    if not domain:
        return None
    # A handful of providers in all: reading them beats a JSON lookup that
    # SQLite (the embedded demo) lacks.
    for provider in active_identity_providers().order_by("pk"):
        if domain in provider.email_domains:
            return provider
    return None


def rules_of(provider: IdentityProvider) -> list[mapping.Rule]:
    return [
        mapping.Rule(rule.attribute, rule.value, rule.role)
        for rule in provider.role_rules.all()
    ]


def providers_refusing_passwords_for(user) -> list[IdentityProvider]:
    """The active providers that keep members of the user's organizations from
    logging in with a Cairn password."""
    return list(
        active_identity_providers()
        .filter(
            allows_local_passwords=False,
            organization__memberships__user=user,
        )
        .distinct()
        .order_by("name")
    )
