from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from accounts.lifecycle import services
from accounts.models import AccountPreferences


class NameForm(forms.Form):
    first_name = forms.CharField(label="Given name", max_length=150, required=False)
    last_name = forms.CharField(label="Family name", max_length=150, required=False)

    def clean(self) -> dict:
        data = super().clean()
        if not (data.get("first_name", "").strip() or data.get("last_name", "")):
            raise ValidationError("Give at least one of your names.")
        return data


class PreferencesForm(forms.ModelForm):
    language = forms.ChoiceField(choices=settings.LANGUAGES)

    class Meta:
        model = AccountPreferences
        fields = [
            "language",
            "email_on_credentials",
            "email_on_reviews",
            "email_on_grades",
            "email_on_work",
            "email_digest",
        ]


class SignupPolicyForm(forms.Form):
    is_open = forms.BooleanField(
        label="Learners may register themselves", required=False
    )
    email_domains = forms.CharField(
        label="E-mail domains accepted",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One or more, separated by commas or lines: college.edu, "
        "students.college.edu. Addresses must be verified before the person "
        "becomes a learner.",
    )

    def clean_email_domains(self) -> list[str]:
        return services.parse_domains(self.cleaned_data["email_domains"])

    def clean(self) -> dict:
        data = super().clean()
        if data.get("is_open") and not data.get("email_domains") and not self.errors:
            self.add_error(
                "email_domains", "Name at least one domain to open registration."
            )
        return data


class ErasureRequestForm(forms.Form):
    note = forms.CharField(
        label="Anything the administrators should know (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label="I understand that my account, my evidence files and my "
        "credentials will be erased or revoked, and that this cannot be undone.",
    )


class ErasureDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("confirm", "Confirm"), ("decline", "Decline")]
    )
    reason = forms.CharField(
        label="Reason for declining", required=False, max_length=2000
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("decision") == "decline" and not data.get("reason", "").strip():
            self.add_error("reason", "Say why the request is declined.")
        return data
