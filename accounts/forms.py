from django import forms
from django.core.exceptions import ValidationError

from accounts import selectors


class AuditFilterForm(forms.Form):
    area = forms.ChoiceField(required=False)
    person = forms.CharField(
        required=False,
        max_length=150,
        help_text=f"Name or username; “{selectors.AUDIT_SYSTEM_NAME}” for what "
        "the system did.",
    )
    since = forms.DateField(
        required=False,
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    until = forms.DateField(
        required=False,
        label="To",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    q = forms.CharField(
        required=False,
        max_length=200,
        label="Details contain",
        help_text="Words of a reason, a file name, a key…",
    )

    def __init__(self, *args, areas: list[tuple[str, str]], **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", "Every area"), *areas]

    def clean(self) -> dict:
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", "The end date comes before the start date.")
        return data

    def filters(self) -> dict:
        """The filters for `selectors.audit_trail`: those filled in and valid."""
        if not self.is_bound:
            return {}
        self.is_valid()  # cleaned_data keeps the fields that are valid
        data = self.cleaned_data
        found = {
            "area": data.get("area", ""),
            "person": data.get("person", ""),
            "since": data.get("since"),
            "until": data.get("until"),
            "text": data.get("q", ""),
        }
        return {name: value for name, value in found.items() if value}


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError beside the fields it names, or on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)
