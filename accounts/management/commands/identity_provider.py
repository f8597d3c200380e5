"""Configure an organization's identity providers from the shell, through the
same services as the pages and the API.

  manage.py identity_provider list [--organization SLUG]
  manage.py identity_provider set ORG_SLUG PROVIDER_SLUG --protocol oidc \\
      --name "Entra ID" --discovery-url URL --client-id ID --client-secret-env VAR \\
      --domain north.edu --rule "groups, staff, faculty" [--no-local-passwords]
  manage.py identity_provider remove ORG_SLUG PROVIDER_SLUG
  manage.py identity_provider rewrap    # after changing CAIRN_KEY_ENCRYPTION_KEY

`set` adds the provider, or changes the options given. The client secret is
read from an environment variable, never from the command line (which shows
in process lists and shell history)."""

import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import IdentityProvider, Membership, Organization
from accounts.sealing import SealError
from accounts.sso import mapping, selectors, services

OPTION_FIELDS = {
    "name": "name",
    "discovery_url": "discovery_url",
    "client_id": "client_id",
    "metadata_url": "metadata_url",
    "entity_id": "entity_id",
    "sso_url": "sso_url",
    "default_role": "default_role",
}


class Command(BaseCommand):
    help = "List, add, change or remove an organization's identity providers."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        listing = actions.add_parser("list")
        listing.add_argument("--organization")
        setting = actions.add_parser("set")
        setting.add_argument("organization")
        setting.add_argument("slug")
        setting.add_argument("--protocol", choices=IdentityProvider.Protocol.values)
        setting.add_argument("--name")
        setting.add_argument("--discovery-url")
        setting.add_argument("--client-id")
        setting.add_argument(
            "--client-secret-env", help="The environment variable holding the secret."
        )
        setting.add_argument("--metadata-url")
        setting.add_argument("--entity-id")
        setting.add_argument("--sso-url")
        setting.add_argument("--certificate-file", help="The IdP's signing cert (PEM).")
        setting.add_argument("--domain", action="append", dest="domains")
        setting.add_argument(
            "--rule", action="append", dest="rules", help="'attribute, value, role'"
        )
        setting.add_argument("--default-role", choices=["", *Membership.Role.values])
        passwords = setting.add_mutually_exclusive_group()
        passwords.add_argument("--local-passwords", action="store_true", default=None)
        passwords.add_argument(
            "--no-local-passwords", action="store_false", dest="local_passwords"
        )
        active = setting.add_mutually_exclusive_group()
        active.add_argument("--active", action="store_true", default=None)
        active.add_argument("--inactive", action="store_false", dest="active")
        actions.add_parser("rewrap", help="Re-seal every secret under the first key.")
        removing = actions.add_parser("remove")
        removing.add_argument("organization")
        removing.add_argument("slug")

    def handle(self, *args, action, **options):
        if action == "list":
            return self._list(options.get("organization"))
        if action == "rewrap":
            return self._rewrap()
        try:
            organization = Organization.objects.get(slug=options["organization"])
        except Organization.DoesNotExist as missing:
            raise CommandError(
                f"No organization {options['organization']}."
            ) from missing
        provider = organization.identity_providers.filter(slug=options["slug"]).first()
        if action == "remove":
            if provider is None:
                raise CommandError(f"No provider {options['slug']} in {organization}.")
            services.remove_identity_provider(provider, by=None)
            self.stdout.write(f"Removed {provider.name}.")
            return None
        return self._set(organization, provider, options)

    def _rewrap(self):
        rewrapped = 0
        with transaction.atomic():
            for provider in IdentityProvider.objects.select_for_update().exclude(
                client_secret_sealed=b""
            ):
                try:
                    secret = provider.open_client_secret()
                except SealError as error:
                    raise CommandError(
                        f"{provider.slug}: no configured key opens its secret."
                    ) from error
                provider.seal_client_secret(secret)
                provider.save(update_fields=["client_secret_sealed"])
                rewrapped += 1
        self.stdout.write(
            f"Re-sealed {rewrapped} client secret(s) under the first key."
        )

    def _list(self, organization_slug):
        providers = IdentityProvider.objects.select_related("organization")
        if organization_slug:
            providers = providers.filter(organization__slug=organization_slug)
        for provider in providers.order_by("organization__slug", "slug"):
            passwords = (
                "passwords allowed" if provider.allows_local_passwords else "SSO only"
            )
            self.stdout.write(
                f"{provider.organization.slug}\t{provider.slug}\t{provider.protocol}\t"
                f"{'active' if provider.is_active else 'off'}\t"
                f"{','.join(provider.email_domains)}\t{passwords}"
            )

    def _set(self, organization, provider, options):
        fields = {
            field: options[option]
            for option, field in OPTION_FIELDS.items()
            if options.get(option) is not None
        }
        if options.get("local_passwords") is not None:
            fields["allows_local_passwords"] = options["local_passwords"]
        if options.get("active") is not None:
            fields["is_active"] = options["active"]
        if options.get("certificate_file"):
            with open(options["certificate_file"], encoding="utf-8") as file:
                fields["x509_certificate"] = file.read()
        secret = None
        if options.get("client_secret_env"):
            secret = os.environ.get(options["client_secret_env"])
            if secret is None:
                raise CommandError(f"${options['client_secret_env']} is not set.")
        rules = None
        if options.get("rules") is not None:
            rules, problems = mapping.parse_rules(
                "\n".join(options["rules"]), roles=Membership.Role.values
            )
            if problems:
                raise CommandError("\n".join(problems))
        domains = options.get("domains")
        if domains is not None:
            domains = mapping.normalise_domains(",".join(domains))
        try:
            if provider is None:
                if not options.get("protocol"):
                    raise CommandError("A new provider needs --protocol oidc or saml.")
                provider = services.create_identity_provider(
                    organization,
                    by=None,
                    slug=options["slug"],
                    protocol=options["protocol"],
                    client_secret=secret or "",
                    email_domains=domains or [],
                    rules=rules or [],
                    **{"name": options["slug"], **fields},
                )
                verb = "Added"
            else:
                if options.get("protocol") and options["protocol"] != provider.protocol:
                    raise CommandError("The protocol of a provider cannot change.")
                provider = services.update_identity_provider(
                    provider,
                    by=None,
                    client_secret=secret,
                    email_domains=domains,
                    rules=rules,
                    **fields,
                )
                verb = "Saved"
        except ValidationError as error:
            problems = (
                [
                    f"{field}: {'; '.join(messages)}"
                    for field, messages in error.message_dict.items()
                ]
                if hasattr(error, "error_dict")
                else error.messages
            )
            raise CommandError("\n".join(problems)) from error
        rules_count = len(selectors.rules_of(provider))
        self.stdout.write(
            f"{verb} {provider.name} ({provider.get_protocol_display()}) for "
            f"{organization}: {', '.join(provider.email_domains) or 'no domains'}, "
            f"{rules_count} role rule{'s' if rules_count != 1 else ''}."
        )
