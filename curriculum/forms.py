from django import forms
from django.conf import settings

from accounts.models import Organization
from curriculum import badge_design
from curriculum.models import (
    Competency,
    DeliveryMode,
    FrameworkImport,
    Module,
    Proficiency,
)


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
    notional_hours = forms.IntegerField(
        min_value=1,
        max_value=10000,
        required=False,
        help_text="Hours of learning a typical learner needs (ECTS: 25–30 a credit).",
    )
    valid_for_days = forms.IntegerField(
        min_value=1,
        max_value=36500,
        required=False,
        label="Valid for (days)",
        help_text="How long the credential stays valid once earned; learners and "
        "their admin are told 90, 30 and 7 days before it expires. Leave empty "
        "if it never expires.",
    )
    level = forms.CharField(
        max_length=40,
        required=False,
        help_text="EQF 1–8, or your organization's own scale.",
        widget=forms.TextInput(attrs={"list": "levels"}),
    )
    delivery_mode = forms.ChoiceField(
        choices=[("", "—"), *DeliveryMode.choices], required=False
    )
    language = forms.CharField(
        max_length=20, required=False, initial="en", help_text="e.g. en, fr, de"
    )
    prerequisites = forms.ModelMultipleChoiceField(
        queryset=Module.objects.none(),
        required=False,
        help_text="Modules a learner completes first.",
    )
    badge_image = forms.FileField(
        required=False,
        help_text="PNG or SVG, at most 1 MB; an SVG with a script is refused.",
    )

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        if organizations.count() == 1:
            self.fields["organization"].initial = organizations.first()
        self.fields["prerequisites"].queryset = Module.objects.filter(
            organization__in=organizations
        ).order_by("code")


class ModuleVersionEditForm(forms.Form):
    """The fields of a draft, as the designer edits them."""

    title = forms.CharField(max_length=200)
    summary = forms.CharField(widget=forms.Textarea, required=False)
    criteria_narrative = ModuleVersionForm.base_fields["criteria_narrative"]
    credits = ModuleVersionForm.base_fields["credits"]
    notional_hours = ModuleVersionForm.base_fields["notional_hours"]
    valid_for_days = ModuleVersionForm.base_fields["valid_for_days"]
    level = ModuleVersionForm.base_fields["level"]
    delivery_mode = ModuleVersionForm.base_fields["delivery_mode"]
    language = ModuleVersionForm.base_fields["language"]
    prerequisites = forms.ModelMultipleChoiceField(
        queryset=Module.objects.none(),
        required=False,
        help_text="Modules a learner completes first.",
    )
    badge_image = ModuleVersionForm.base_fields["badge_image"]
    remove_badge_image = forms.BooleanField(required=False)

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["prerequisites"].queryset = (
            Module.objects.filter(organization=version.module.organization)
            .exclude(pk=version.module_id)
            .order_by("code")
        )


ACTION_VERBS = [
    "analyse",
    "apply",
    "assess",
    "build",
    "calculate",
    "choose",
    "compare",
    "compose",
    "configure",
    "construct",
    "create",
    "debug",
    "defend",
    "design",
    "develop",
    "diagnose",
    "document",
    "evaluate",
    "explain",
    "identify",
    "implement",
    "interpret",
    "justify",
    "lead",
    "measure",
    "monitor",
    "negotiate",
    "operate",
    "organise",
    "plan",
    "prepare",
    "present",
    "prioritise",
    "produce",
    "recommend",
    "report",
    "resolve",
    "review",
    "select",
    "solve",
    "test",
    "use",
    "write",
]


class OutcomeForm(forms.Form):
    action_verb = forms.CharField(
        max_length=40,
        required=False,
        help_text="The observable verb the statement starts with, e.g. build.",
        widget=forms.TextInput(attrs={"list": "action-verbs"}),
    )
    statement = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="A performance statement: “Build a pivot table that …”",
    )
    proficiency_level = forms.ChoiceField(
        choices=[("", "—"), *Proficiency.choices],
        required=False,
        label="Target proficiency",
    )


class PublishForm(forms.Form):
    changelog = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What this version changes, for the public version history.",
    )


class FrameworkForm(forms.Form):
    organization = forms.ModelChoiceField(queryset=Organization.objects.none())
    name = forms.CharField(max_length=200)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    language = forms.CharField(max_length=20, initial="en")

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        if organizations.count() == 1:
            self.fields["organization"].initial = organizations.first()


class CompetencyForm(forms.Form):
    code = forms.CharField(max_length=80, required=False, help_text="e.g. DS.1.2")
    statement = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    competency_type = forms.CharField(
        max_length=100, required=False, label="Type", help_text="e.g. Skill, Domain"
    )
    education_levels = forms.CharField(
        max_length=200,
        required=False,
        help_text="Separated by semicolons, e.g. EQF 4; EQF 5",
    )
    parent = forms.ModelChoiceField(
        queryset=Competency.objects.none(), required=False, label="Inside"
    )

    def __init__(self, *args, framework, exclude=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = framework.competencies.order_by("position", "pk")
        if exclude is not None:
            choices = choices.exclude(pk=exclude.pk)
        self.fields["parent"].queryset = choices
        self.fields["parent"].empty_label = "(top level)"

    def clean_education_levels(self) -> list[str]:
        raw = self.cleaned_data["education_levels"]
        return [v.strip() for v in raw.split(";") if v.strip()]


class FrameworkImportForm(forms.Form):
    organization = forms.ModelChoiceField(queryset=Organization.objects.none())
    format = forms.ChoiceField(choices=FrameworkImport.Format.choices)
    file = forms.FileField(
        help_text="A CASE 1.0/1.1 CFPackage (.json) or a CSV file of competencies."
    )
    framework_name = forms.CharField(
        max_length=200,
        required=False,
        help_text="For CSV: the framework to add to (made if new).",
    )

    def __init__(self, *args, organizations, **kwargs):
        # Its own ids: the frameworks page shows it beside FrameworkForm,
        # whose organization field is id_organization too.
        kwargs.setdefault("auto_id", "import_%s")
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        if organizations.count() == 1:
            self.fields["organization"].initial = organizations.first()

    def clean(self):
        data = super().clean()
        if (
            data.get("format") == FrameworkImport.Format.CSV
            and not data.get("framework_name", "").strip()
        ):
            self.add_error("framework_name", "Name the framework to import into.")
        return data


class FrameworkCaseUpdateForm(forms.Form):
    file = forms.FileField(
        label="Newer version (CASE package)",
        help_text="A CASE 1.0/1.1 CFPackage (.json) of the same document. You see "
        "what it changes before anything is applied.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.CAIRN_MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is too large.")
        return upload


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search", max_length=200)
    level = forms.CharField(required=False, max_length=40)
    credits_min = forms.DecimalField(
        required=False,
        min_value=0,
        max_digits=5,
        decimal_places=1,
        label="Credits from",
    )
    credits_max = forms.DecimalField(
        required=False, min_value=0, max_digits=5, decimal_places=1, label="to"
    )
    competency = forms.CharField(
        required=False, max_length=200, help_text="Words or code of a competency"
    )
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.order_by("name"),
        required=False,
        to_field_name="slug",
        empty_label="Any organization",
    )


class FrameworkEditForm(forms.Form):
    name = forms.CharField(max_length=200)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    version = forms.CharField(max_length=60, required=False)
    language = forms.CharField(max_length=20, required=False)


class BadgeDesignForm(forms.Form):
    """The badge designer: a shape, three colours, an icon and a few words."""

    shape = forms.ChoiceField(
        choices=list(badge_design.SHAPES.items()), widget=forms.RadioSelect
    )
    background = forms.CharField(
        widget=forms.TextInput(attrs={"type": "color"}), label="Background colour"
    )
    border = forms.CharField(
        widget=forms.TextInput(attrs={"type": "color"}), label="Border colour"
    )
    ink = forms.CharField(
        widget=forms.TextInput(attrs={"type": "color"}), label="Icon and text colour"
    )
    icon = forms.ChoiceField(required=False, widget=forms.RadioSelect)
    text = forms.CharField(
        max_length=badge_design.MAX_TEXT,
        required=False,
        label="Text on the badge",
        help_text=f"At most {badge_design.MAX_TEXT} characters, e.g. the module's "
        "code or a short name.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["icon"].choices = [("", "No icon")] + [
            (name, badge_design.icon_label(name)) for name in badge_design.icon_names()
        ]

    def design(self) -> badge_design.BadgeDesign | None:
        """The design the form describes, or None with the reason on the form."""
        if not self.is_valid():
            return None
        try:
            return badge_design.design_from(self.cleaned_data)
        except badge_design.BadgeDesignError as error:
            self.add_error(None, str(error))
            return None


class BadgeUploadForm(forms.Form):
    badge_image = forms.FileField(
        label="Badge image",
        help_text="A PNG or SVG file of at most 1 MB. An SVG with a script is "
        "refused; links to outside files are removed from it.",
    )
