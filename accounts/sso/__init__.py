"""Single sign-on through each organization's OpenID Connect or SAML 2.0
identity provider, on top of django-allauth (docs/decisions/0013)."""
