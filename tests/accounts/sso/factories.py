from accounts.models import IdentityProvider
from accounts.sso import mapping, services


def make_oidc_provider(organization, *, by=None, **fields) -> IdentityProvider:
    values = {
        "name": "Northfield login",
        "slug": f"{organization.slug}-oidc",
        "protocol": IdentityProvider.Protocol.OIDC,
        "discovery_url": "http://127.0.0.1:9/",
        "client_id": "cairn",
        "client_secret": "s3cret",
        "email_domains": [f"{organization.slug}.example.edu"],
        "rules": [
            mapping.Rule("groups", "faculty-staff", "faculty"),
            mapping.Rule("groups", "curriculum", "designer"),
        ],
    }
    values.update(fields)
    return services.create_identity_provider(organization, by=by, **values)
