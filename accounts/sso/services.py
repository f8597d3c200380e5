"""Every change single sign-on makes: an organization's providers and role
rules, and what a sign-in does to a person's account and roles. Each is
audited in the same transaction (accounts.audit.log_action)."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts import signals
from accounts.audit import log_action
from accounts.models import IdentityProvider, Membership, Organization, RoleRule
from accounts.models.sso import domain_validator
from accounts.sso import mapping, selectors

# What an admin may set on a provider, besides its secret, domains and rules.
PROVIDER_FIELDS = (
    "name",
    "slug",
    "protocol",
    "is_active",
    "discovery_url",
    "client_id",
    "metadata_url",
    "entity_id",
    "sso_url",
    "x509_certificate",
    "email_attribute",
    "given_name_attribute",
    "family_name_attribute",
    "email_verified_attribute",
    "allows_local_passwords",
    "default_role",
)


def _check_domains(provider: IdentityProvider) -> None:
    problems = []
    for domain in provider.email_domains:
        try:
            domain_validator(domain)
        except ValidationError:
            problems.append(f"'{domain}' is no e-mail domain (write example.edu).")
            continue
        other = (
            IdentityProvider.objects.filter(is_active=True)
            .exclude(pk=provider.pk)
            .filter(pk__in=_ids_serving(domain))
            .first()
        )
        if other is not None and provider.is_active:
            problems.append(
                f"{domain} is served already by the provider '{other.name}'"
                + (
                    ""
                    if other.organization_id == provider.organization_id
                    else " of another organization"
                )
                + "."
            )
    if problems:
        raise ValidationError({"email_domains": problems})


def _ids_serving(domain: str) -> list[int]:
    return [
        provider.pk
        for provider in IdentityProvider.objects.filter(is_active=True).only(
            "pk", "email_domains"
        )
        if domain in provider.email_domains
    ]


def _replace_rules(provider: IdentityProvider, rules: Iterable[mapping.Rule]) -> None:
    provider.role_rules.all().delete()
    RoleRule.objects.bulk_create(
        RoleRule(
            identity_provider=provider,
            attribute=rule.attribute,
            value=rule.value,
            role=rule.role,
        )
        for rule in rules
    )


@transaction.atomic
def create_identity_provider(
    organization: Organization,
    *,
    by,
    client_secret: str = "",
    email_domains: Iterable[str] = (),
    rules: Iterable[mapping.Rule] = (),
    **fields: object,
) -> IdentityProvider:
    """Add an identity provider to an organization, its secret sealed."""
    unknown = set(fields) - set(PROVIDER_FIELDS)
    if unknown:
        raise TypeError(f"not a provider field: {', '.join(sorted(unknown))}")
    provider = IdentityProvider(organization=organization, **fields)
    provider.email_domains = list(email_domains)
    provider.full_clean(exclude=["client_secret_sealed"])
    _check_domains(provider)
    provider.seal_client_secret(client_secret)
    provider.save()
    rules = list(rules)
    _replace_rules(provider, rules)
    log_action(
        by,
        "sso.provider_added",
        provider,
        organization=organization,
        name=provider.name,
        protocol=provider.protocol,
        domains=provider.email_domains,
        rules=len(rules),
    )
    return provider


@transaction.atomic
def update_identity_provider(
    provider: IdentityProvider,
    *,
    by,
    client_secret: str | None = None,
    email_domains: Iterable[str] | None = None,
    rules: Iterable[mapping.Rule] | None = None,
    **changes: object,
) -> IdentityProvider:
    """Change a provider; a secret of None keeps the sealed one."""
    # The slug names the provider in its URLs and in people's links: it stays.
    unknown = set(changes) - (set(PROVIDER_FIELDS) - {"slug"})
    if unknown:
        raise TypeError(f"not a changeable field: {', '.join(sorted(unknown))}")
    provider = IdentityProvider.objects.select_for_update().get(pk=provider.pk)
    changed = [
        name for name, value in changes.items() if getattr(provider, name) != value
    ]
    for name in changed:
        setattr(provider, name, changes[name])
    if email_domains is not None:
        email_domains = list(email_domains)
        if email_domains != provider.email_domains:
            provider.email_domains = email_domains
            changed.append("email_domains")
    provider.full_clean(exclude=["client_secret_sealed"])
    _check_domains(provider)
    if client_secret is not None:
        provider.seal_client_secret(client_secret)
        changed.append("client_secret")
    if rules is not None:
        rules = list(rules)
        if rules != selectors.rules_of(provider):
            _replace_rules(provider, rules)
            changed.append("role_rules")
    if changed:
        provider.save()
        log_action(
            by,
            "sso.provider_changed",
            provider,
            organization=provider.organization,
            name=provider.name,
            # Names only: the audit trail never holds a secret.
            changed=sorted(set(changed)),
        )
    return provider


@transaction.atomic
def remove_identity_provider(provider: IdentityProvider, *, by) -> None:
    """Remove a provider. Its people keep their accounts, work and roles; they
    no longer sign in through it."""
    unlinked, _ = SocialAccount.objects.filter(provider=provider.slug).delete()
    log_action(
        by,
        "sso.provider_removed",
        provider,
        organization=provider.organization,
        name=provider.name,
        unlinked_accounts=unlinked,
    )
    provider.delete()


# Signing in


class SignInRefused(Exception):
    """A sign-in Cairn will not complete; the message says why, to the person."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason


@dataclass
class SyncResult:
    granted: set[str] = field(default_factory=set)
    withdrawn: set[str] = field(default_factory=set)
    profile_changed: list[str] = field(default_factory=list)


def person_for(provider: IdentityProvider, claims: Mapping[str, object]):
    return mapping.person_from(
        claims,
        email_attribute=provider.email_attribute,
        given_name_attribute=provider.given_name_attribute,
        family_name_attribute=provider.family_name_attribute,
        email_verified_attribute=provider.email_verified_attribute,
    )


def account_with_email(email: str):
    """The one account holding this e-mail address, if any."""
    User = get_user_model()
    address = (
        EmailAddress.objects.filter(email__iexact=email).select_related("user").first()
    )
    if address is not None:
        return address.user
    return User.objects.filter(email__iexact=email).first()


def may_link(user, person: mapping.Person) -> bool:
    """An account is linked to a provider's identity only when both sides have
    verified the e-mail: Cairn (allauth's EmailAddress) and the provider."""
    return (
        person.email_verified
        and EmailAddress.objects.filter(
            user=user, email__iexact=person.email, verified=True
        ).exists()
    )


@transaction.atomic
def link_account(
    user, provider: IdentityProvider, person: mapping.Person, connect
) -> None:
    """Link an existing account by its verified e-mail (`connect` saves allauth's
    SocialAccount)."""
    connect()
    log_action(
        user,
        "sso.account_linked",
        user,
        organization=provider.organization,
        provider=provider.name,
        email=person.email,
    )


def refuse_sign_in(
    provider: IdentityProvider | None, *, reason: str, message: str, **data: object
) -> SignInRefused:
    """Record a refused sign-in in the provider's organization's trail."""
    if provider is not None:
        log_action(
            None,
            "sso.sign_in_refused",
            provider,
            organization=provider.organization,
            provider=provider.name,
            reason=reason,
            **data,
        )
    return SignInRefused(message, reason=reason)


@transaction.atomic
def sync_person(
    user,
    provider: IdentityProvider,
    claims: Mapping[str, object],
    *,
    first_sign_in: bool,
) -> SyncResult:
    """Bring the account's names and the provider's roles in its organization
    up to what the provider says now. Roles no rule names are left alone."""
    person = person_for(provider, claims)
    result = SyncResult()
    organization = provider.organization
    updates = {}
    if person.given_name and user.first_name != person.given_name:
        updates["first_name"] = person.given_name
    if person.family_name and user.last_name != person.family_name:
        updates["last_name"] = person.family_name
    if updates:
        for name, value in updates.items():
            setattr(user, name, value)
        user.save(update_fields=list(updates))
        result.profile_changed = sorted(updates)

    rules = selectors.rules_of(provider)
    wanted = mapping.roles_from(claims, rules, default_role=provider.default_role)
    managed = mapping.managed_roles(rules, default_role=provider.default_role)
    held = set(
        Membership.objects.filter(user=user, organization=organization).values_list(
            "role", flat=True
        )
    )
    result.granted = wanted - held
    result.withdrawn = (held & managed) - wanted
    Membership.objects.bulk_create(
        [
            Membership(user=user, organization=organization, role=role)
            for role in sorted(result.granted)
        ],
        ignore_conflicts=True,  # a parallel first sign-in made it already
    )
    if result.granted:  # no row saved one by one: say so once it has committed
        transaction.on_commit(
            partial(
                signals.memberships_granted.send, sender=Membership, user_id=user.pk
            )
        )
    if result.withdrawn:
        Membership.objects.filter(
            user=user, organization=organization, role__in=result.withdrawn
        ).delete()
    user.__dict__.pop("_cairn_roles", None)

    log_action(
        user,
        "sso.account_provisioned" if first_sign_in else "sso.signed_in",
        user,
        organization=organization,
        provider=provider.name,
        email=person.email,
    )
    if result.profile_changed and not first_sign_in:
        log_action(
            user,
            "sso.profile_updated",
            user,
            organization=organization,
            provider=provider.name,
            changed=result.profile_changed,
        )
    for role in sorted(result.granted):
        log_action(
            user, "sso.role_granted", user, organization=organization,
            provider=provider.name, role=role,
        )  # fmt: skip
    for role in sorted(result.withdrawn):
        log_action(
            user, "sso.role_withdrawn", user, organization=organization,
            provider=provider.name, role=role,
        )  # fmt: skip
    return result


def password_login_refusal(user) -> str:
    """Why this account may not log in with a password, or ''."""
    if user.is_superuser:
        return ""  # a site admin keeps a way in when a provider is down
    providers = selectors.providers_refusing_passwords_for(user)
    if not providers:
        return ""
    names = ", ".join(provider.name for provider in providers)
    return (
        f"Your organization signs you in through {names}: use "
        f"'Continue with your organization' below with your e-mail address."
    )
