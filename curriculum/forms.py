from django import forms

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
