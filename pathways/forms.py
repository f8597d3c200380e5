from django import forms

from curriculum.models import Module, Organization


class PathwayForm(forms.Form):
    organization = forms.ModelChoiceField(queryset=Organization.objects.none())
    code = forms.SlugField(max_length=40)
    title = forms.CharField(max_length=200)
    summary = forms.CharField(widget=forms.Textarea, required=False)
    modules = forms.ModelMultipleChoiceField(
        queryset=Module.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="The learner completes all of these modules.",
    )

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        if organizations.count() == 1:
            self.fields["organization"].initial = organizations.first()
        self.fields["modules"].queryset = Module.objects.filter(
            organization__in=organizations
        ).select_related("organization")

    def clean(self):
        data = super().clean()
        organization, modules = data.get("organization"), data.get("modules")
        if (
            organization
            and modules
            and any(m.organization_id != organization.pk for m in modules)
        ):
            raise forms.ValidationError("Choose modules of the pathway's organization.")
        return data
