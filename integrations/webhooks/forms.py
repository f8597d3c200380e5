from django import forms

from integrations.webhooks.events import EVENT_TYPES


class SubscriptionForm(forms.Form):
    url = forms.URLField(
        label="Payload URL",
        max_length=500,
        assume_scheme="https",
        help_text="An https:// address on the public internet that accepts POST.",
    )
    description = forms.CharField(
        max_length=200,
        required=False,
        help_text="What this is for, so that others can tell (optional).",
    )
    events = forms.MultipleChoiceField(
        choices=list(EVENT_TYPES.items()),
        widget=forms.CheckboxSelectMultiple,
        help_text="Cairn posts these events to the URL.",
        error_messages={"required": "Choose at least one event."},
    )


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(required=False)

    def __init__(self, *args, statuses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", "Any status"), *statuses]
