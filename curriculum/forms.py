from django import forms
from django.core.exceptions import ValidationError

from curriculum.models import Organization


class ModuleVersionForm(forms.Form):
    organization = forms.ModelChoiceField(queryset=Organization.objects.none())
    code = forms.SlugField(max_length=40, help_text="A short code, e.g. DATA-101.")
    title = forms.CharField(max_length=200)
    summary = forms.CharField(widget=forms.Textarea, required=False)
    criteria_narrative = forms.CharField(
        widget=forms.Textarea,
        required=False,
        label="Criteria",
        help_text="What a learner must show to earn this credential.",
    )
    credits = forms.DecimalField(max_digits=5, decimal_places=1, min_value=0, initial=5)
    level = forms.CharField(max_length=40, required=False, help_text="e.g. EQF 5")

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        if organizations.count() == 1:
            self.fields["organization"].initial = organizations.first()


class OutcomeForm(forms.Form):
    statement = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="A performance statement: “Build a pivot table that …”",
    )


class PublishForm(forms.Form):
    changelog = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What this version changes, for the public version history.",
    )


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError beside the fields it names, or on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)
