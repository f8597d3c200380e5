from django import forms
from django.contrib.auth import get_user_model

from accounts.models import Membership, Organization
from curriculum.models import Module


class PathwayForm(forms.Form):
    organization = forms.ModelChoiceField(queryset=Organization.objects.none())
    code = forms.SlugField(max_length=40)
    title = forms.CharField(max_length=200)
    summary = forms.CharField(widget=forms.Textarea, required=False)
    modules = forms.ModelMultipleChoiceField(
        queryset=Module.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="The learner completes all of these modules; refine the rule "
        "with the rule builder afterwards (groups, n of m, credits).",
    )
    valid_for_days = forms.IntegerField(
        required=False,
        min_value=1,
        label="Valid for (days)",
        help_text="Leave empty if the pathway credential never expires.",
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


class EquivalenceForm(forms.Form):
    organization = forms.ModelChoiceField(queryset=Organization.objects.none())
    issuer = forms.CharField(
        max_length=100,
        help_text="The other organization's slug, or the outside issuer's id.",
    )
    achievement = forms.CharField(
        max_length=200, help_text="Its module code or achievement identifier."
    )
    module = forms.ModelChoiceField(
        queryset=Module.objects.none(),
        required=False,
        label="Counts as",
        help_text="One of your modules; leave empty to accept it for rules that "
        "name the outside credential itself.",
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        if organizations.count() == 1:
            self.fields["organization"].initial = organizations.first()
        self.fields["module"].queryset = Module.objects.filter(
            organization__in=organizations
        ).order_by("code")

    def clean(self):
        data = super().clean()
        organization, module = data.get("organization"), data.get("module")
        if organization and module and module.organization_id != organization.pk:
            self.add_error("module", "Choose one of this organization's modules.")
        return data


class StackingForm(forms.Form):
    tags = forms.CharField(
        required=False,
        max_length=200,
        help_text="Comma-separated, e.g. elective, data. Credits rules can count "
        "every module with a tag.",
    )
    prerequisites = forms.ModelMultipleChoiceField(
        queryset=Module.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The module stays locked on learners' maps until all of these "
        "are done.",
    )

    def __init__(self, *args, module: Module, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["prerequisites"].queryset = (
            Module.objects.filter(organization_id=module.organization_id)
            .exclude(pk=module.pk)
            .order_by("code")
        )


class PrerequisiteOverrideForm(forms.Form):
    learner = forms.ModelChoiceField(queryset=None, empty_label="Choose a learner")
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Why this learner may start without the prerequisite, e.g. the "
        "learning they showed elsewhere. It is kept in the audit trail.",
    )

    def __init__(self, *args, module: Module, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["learner"].queryset = (
            get_user_model()
            .objects.filter(
                memberships__organization_id=module.organization_id,
                memberships__role=Membership.Role.LEARNER,
            )
            .distinct()
            .order_by("username")
        )
