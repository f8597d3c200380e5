from django import forms
from django.conf import settings

from accounts.models import Organization


class IssuerDetailsForm(forms.ModelForm):
    """What the organization says of itself in the credentials it issues."""

    url = forms.URLField(
        required=False,
        assume_scheme="https",
        label="Web site",
        help_text="The institution's home page, with https://.",
    )

    class Meta:
        model = Organization
        fields = ["name", "url", "email", "description"]
        labels = {"email": "Contact e-mail"}
        help_texts = {
            "name": "Shown as the issuer on every credential and certificate.",
            "email": "Where a verifier can ask about a credential.",
            "description": "A sentence or two about the institution.",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class StatusChangeForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The learner is told this reason, and the verification page "
        "shows it.",
    )
    confirm = forms.BooleanField(
        label="I understand that anyone checking this credential will see this.",
    )


class CompromiseForm(forms.Form):
    since = forms.DateTimeField(
        label="Compromised from",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="Everything this key signed from this moment on is revoked. "
        "Times are UTC.",
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    confirm = forms.BooleanField(
        label="Revoke what this key signed from then on, and replace it if active."
    )


class UploadForm(forms.Form):
    file = forms.FileField(
        required=False,
        label="A credential file",
        help_text="Credential JSON, a Cairn PDF certificate, or a badge image "
        "(PNG or SVG) with the credential baked in.",
    )
    text = forms.CharField(
        required=False,
        label="…or paste the credential JSON or JWT",
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and upload.size > settings.CAIRN_MAX_UPLOAD_BYTES:
            raise forms.ValidationError("This file is larger than Cairn accepts.")
        return upload

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("file") and not cleaned.get("text", "").strip():
            raise forms.ValidationError("Choose a file or paste a credential.")
        return cleaned


class RenewalForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="What was checked",
        help_text="Recorded in the audit trail: how the competence was confirmed "
        "as current.",
    )
    confirm = forms.BooleanField(
        label="Issue a new credential; the current one stays in the learner's "
        "record, not revoked.",
    )
