from datetime import UTC, date, datetime, time, timedelta

from django import forms
from django.utils import timezone

from accounts.models import Membership
from integrations.models import Scope
from integrations.tokens.services import SERVICE_ROLES

DEFAULT_LIFETIME_DAYS = 90


def _default_expiry() -> date:
    return timezone.localdate() + timedelta(days=DEFAULT_LIFETIME_DAYS)


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        help_text="What it is for: “registrar's nightly grade import”.",
    )
    scopes = forms.MultipleChoiceField(
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[Scope.READ],
        help_text="A scope says what kind of call the token may make; the "
        "account's roles still decide on what.",
    )
    expires_on = forms.DateField(
        label="Expires on",
        initial=_default_expiry,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="It stops working at the end of this day (UTC).",
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    @property
    def expires_at(self) -> datetime:
        """The first moment the token no longer works."""
        day = self.cleaned_data["expires_on"] + timedelta(days=1)
        return datetime.combine(day, time.min, tzinfo=UTC)


class RolesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs) -> None:
        labels = dict(Membership.Role.choices)
        kwargs.setdefault(
            "help_text",
            "What it may do in this organization, as a member with these roles "
            "could (a machine is never a learner).",
        )
        super().__init__(choices=[(r, labels[r]) for r in SERVICE_ROLES], **kwargs)


class ServiceAccountForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="“Student records system”.")
    roles = RolesField()

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
