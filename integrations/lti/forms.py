from django import forms

from curriculum.models import Module
from integrations.lti.selectors import module_titles
from integrations.models import LtiPlatform


class PlatformForm(forms.ModelForm):
    deployment_ids = forms.CharField(
        label="Deployment IDs",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One a line, as the platform shows them.",
    )
    key_set = forms.JSONField(
        label="Platform keys (JSON Web Key Set)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only if the platform has no key set URL.",
    )

    class Meta:
        model = LtiPlatform
        fields = [
            "name",
            "issuer",
            "client_id",
            "deployment_ids",
            "auth_login_url",
            "auth_token_url",
            "auth_audience",
            "key_set_url",
            "key_set",
            "link_by_email",
        ]
        labels = {
            "issuer": "Issuer",
            "client_id": "Client ID",
            "auth_login_url": "Authentication request URL",
            "auth_token_url": "Access token URL",
            "auth_audience": "Token audience (if not the token URL)",
            "key_set_url": "Key set URL",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and isinstance(self.instance.deployment_ids, list):
            self.initial["deployment_ids"] = "\n".join(self.instance.deployment_ids)


class AwardRuleForm(forms.Form):
    module = forms.ModelChoiceField(queryset=Module.objects.none())
    line_items = forms.MultipleChoiceField(
        label="Line items", widget=forms.CheckboxSelectMultiple
    )
    min_percent = forms.DecimalField(
        label="Lowest score that completes the module (%)",
        min_value=0,
        max_value=100,
        initial=80,
    )

    def __init__(self, *args, organization, line_items, **kwargs):
        super().__init__(*args, **kwargs)
        titles = module_titles(organization)
        self.fields["module"].queryset = Module.objects.filter(
            organization=organization
        ).order_by("code")
        self.fields["module"].label_from_instance = lambda m: titles.get(m.pk, m.code)
        self.fields["line_items"].choices = [
            (item["id"], item.get("label") or item["id"]) for item in line_items
        ]


class DeepLinkForm(forms.Form):
    target = forms.ChoiceField(label="Place in the course")

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = choices
