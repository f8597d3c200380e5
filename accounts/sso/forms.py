"""The form an organization's admin configures an identity provider with."""

from django import forms
from django.db import models

from accounts.models import IdentityProvider, Membership
from accounts.sso import mapping

PROVIDER_FORM_FIELDS = [
    "name",
    "slug",
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
]


def _formfield(field, **kwargs):
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"  # Django 6's default, today
    return field.formfield(**kwargs)


class IdentityProviderForm(forms.ModelForm):
    client_secret = forms.CharField(
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=(
            "Stored encrypted; never shown again. Leave blank to keep the one stored."
        ),
    )
    email_domains_text = forms.CharField(
        label="E-mail domains it serves",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=(
            "Comma- or line-separated, such as northfield.edu, staff.northfield.edu. "
            "The login page sends people with these addresses to this provider."
        ),
    )
    rules_text = forms.CharField(
        label="Role rules",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}),
        help_text=(
            "One a line: attribute, value, role — for example "
            "'groups, faculty-staff, faculty'. Roles: "
            + ", ".join(Membership.Role.values)
            + ". Each sign-in grants the roles whose rules hold and withdraws the "
            "other roles these rules (and the default role) name; roles given in "
            "Cairn that no rule names stay."
        ),
    )

    class Meta:
        model = IdentityProvider
        fields = PROVIDER_FORM_FIELDS
        formfield_callback = _formfield
        labels = {
            "slug": "Short name",
            "is_active": "Active",
            "discovery_url": "Discovery URL",
            "client_id": "Client ID",
            "metadata_url": "Metadata URL",
            "entity_id": "Entity ID",
            "sso_url": "SSO URL",
            "x509_certificate": "Signing certificate",
            "allows_local_passwords": "Members may also log in with a Cairn password",
        }
        help_texts = {
            "slug": "Lowercase letters, digits and hyphens; appears in the sign-in "
            "URLs and cannot change once saved.",
            "email_attribute": "Blank: email, mail or the usual SAML names.",
            "email_verified_attribute": "Blank: email_verified. An existing Cairn "
            "account is joined only when this says true.",
        }
        widgets = {"x509_certificate": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, protocol: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.protocol = protocol
        if protocol == IdentityProvider.Protocol.OIDC:
            for name in ("metadata_url", "entity_id", "sso_url", "x509_certificate"):
                del self.fields[name]
            self.fields["discovery_url"].required = True
            self.fields["client_id"].required = True
            if not (self.instance.pk and self.instance.has_client_secret):
                self.fields[
                    "client_secret"
                ].help_text = "Stored encrypted; never shown again."
        else:
            for name in ("discovery_url", "client_id", "client_secret"):
                del self.fields[name]
            self.fields["entity_id"].required = True
        if self.instance.pk:
            self.fields["slug"].disabled = True
            self.initial["email_domains_text"] = ", ".join(self.instance.email_domains)
            self.initial["rules_text"] = mapping.format_rules(
                mapping.Rule(rule.attribute, rule.value, rule.role)
                for rule in self.instance.role_rules.all()
            )

    def clean_email_domains_text(self) -> list[str]:
        return mapping.normalise_domains(self.cleaned_data["email_domains_text"])

    def clean_rules_text(self) -> list[mapping.Rule]:
        rules, problems = mapping.parse_rules(
            self.cleaned_data["rules_text"], roles=Membership.Role.values
        )
        if problems:
            raise forms.ValidationError(problems)
        return rules

    def _post_clean(self) -> None:
        # The service runs the model's checks (and the domains') when it saves.
        pass

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        arguments = {
            name: data[name]
            for name in PROVIDER_FORM_FIELDS
            if name in self.fields and not self.fields[name].disabled
        }
        arguments["email_domains"] = data["email_domains_text"]
        arguments["rules"] = data["rules_text"]
        if "client_secret" in self.fields:
            arguments["client_secret"] = data.get("client_secret") or None
        return arguments


class SingleSignOnStartForm(forms.Form):
    email = forms.EmailField(
        label="Your e-mail address",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)
