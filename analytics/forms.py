from django import forms

from analytics.selectors import DEFAULT_PERIOD, PERIODS


class PeriodForm(forms.Form):
    days = forms.TypedChoiceField(
        label="Period",
        choices=[(days, f"Last {days} days") for days in PERIODS],
        coerce=int,
        empty_value=DEFAULT_PERIOD,
        required=False,
    )

    def period(self) -> int:
        """The chosen number of days; the default when the choice is not valid."""
        if self.is_valid():
            return self.cleaned_data["days"]
        return DEFAULT_PERIOD
