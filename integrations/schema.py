"""The API's security schemes in the OpenAPI schema: Cairn's tokens as HTTP
bearer, OAuth 2.0 with its flows, and each operation's scope from the one
table (integrations/tokens/scopes.py)."""

from drf_spectacular.contrib.django_oauth_toolkit import DjangoOAuthToolkitScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension

from integrations.tokens.scopes import required_scope


class CairnTokenScheme(OpenApiAuthenticationExtension):
    target_class = "integrations.tokens.authentication.TokenAuthentication"
    name = "cairnToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal access token or a service account's token "
            "(cairn_pat_… or cairn_sat_…), made on the “API tokens” and "
            "“Service accounts” pages. Its scopes must include the one each "
            "operation names under oauth2.",
        }


class CairnOAuthScheme(DjangoOAuthToolkitScheme):
    target_class = "integrations.oauth.authentication.OAuthAuthentication"

    def get_security_requirement(self, auto_schema):
        scope = required_scope(auto_schema.view, auto_schema.method)
        return {self.name: [scope] if scope else []}
