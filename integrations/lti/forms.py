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
        required=False,
        error_messages={
            "min_value": "Give a percentage from 0 to 100.",
            "max_value": "Give a percentage from 0 to 100.",
        },
    )
    min_letter = forms.ChoiceField(
        label="Or the lowest letter grade that completes it",
        required=False,
        help_text="Read with the platform's letter scale, for a course grade.",
    )

    def __init__(self, *args, organization, line_items, letters=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["min_letter"].choices = [
            ("", "No letter: use the score"),
            *((letter, f"At least {letter}") for letter in letters),
        ]
        titles = module_titles(organization)
        self.fields["module"].queryset = Module.objects.filter(
            organization=organization
        ).order_by("code")
        self.fields["module"].label_from_instance = lambda m: titles.get(m.pk, m.code)
        self.fields["line_items"].choices = [
            (item["id"], item.get("label") or item["id"]) for item in line_items
        ]

    def clean(self):
        data = super().clean()
        has_percent = data.get("min_percent") is not None
        if has_percent and data.get("min_letter"):
            raise forms.ValidationError(
                "Choose a lowest score or a lowest letter, not both."
            )
        if not has_percent and not data.get("min_letter") and not self.errors:
            raise forms.ValidationError(
                "Choose the lowest score or the lowest letter that completes "
                "the module."
            )
        return data


class DeepLinkForm(forms.Form):
    target = forms.ChoiceField(label="Place in the course")

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = choices


class CourseSitesForm(forms.Form):
    addresses = forms.CharField(
        label="Course site addresses",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Only where the platform's courses are served from another "
        "address than its issuer and login URL (Canvas: "
        "https://yourcollege.instructure.com). One a line.",
    )


class LetterScaleForm(forms.Form):
    scale = forms.CharField(
        label="Letter grades",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One letter a line, highest first, each with the lowest "
        "percentage that earns it: “A 90”. The last letter starts at 0.",
    )
