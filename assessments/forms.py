import re

from django import forms
from django.core.exceptions import ValidationError

from assessments.models import AssessmentTask, Criterion, Mark, ModuleCompletion, Rubric
from assessments.services import CriterionSpec, LevelSpec
from assessments.uploads import ACCEPTED_TYPES


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []


class SubmissionForm(forms.Form):
    text = forms.CharField(
        widget=forms.Textarea,
        required=False,
        label="Your evidence",
        help_text="Describe what you did and how it meets the criteria.",
    )
    links = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Links to work published elsewhere, one per line.",
    )
    files = MultipleFileField(
        required=False,
        help_text="PDF, PNG, JPEG, plain text or Office files, up to 10 MB each.",
    )

    def __init__(self, *args, task: AssessmentTask | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if task is None:
            return
        if not task.accepts_text:
            del self.fields["text"]
        if not task.accepts_links:
            del self.fields["links"]
        if not task.accepts_files:
            del self.fields["files"]
        elif task.file_types:
            names = ", ".join(ACCEPTED_TYPES[t] for t in task.file_types)
            self.fields["files"].help_text = f"{names}; several files allowed."

    def clean_links(self) -> list[str]:
        return [
            line.strip()
            for line in self.cleaned_data.get("links", "").splitlines()
            if line.strip()
        ]


LEVEL_LINE = re.compile(r"^\s*(?P<name>[^=:]+?)\s*[=:]\s*(?P<points>\d+)\s*$")


class TaskForm(forms.Form):
    title = forms.CharField(max_length=200)
    instructions = forms.CharField(widget=forms.Textarea, required=False)
    levels = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        initial="Not yet = 0\nDeveloping = 1\nCompetent = 2\nExemplary = 3",
        help_text="Performance levels, lowest first, one per line as “name = points”.",
    )
    criteria = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One criterion per line. Add “| 1, 2” to tie it to outcomes 1 and 2.",
    )
    pass_min_total = forms.IntegerField(
        min_value=0, required=False, label="Minimum total to pass"
    )
    pass_min_level = forms.IntegerField(
        min_value=1,
        required=False,
        label="Minimum level on every criterion",
        help_text="1 is the lowest level; 3 means at least the third level.",
    )
    max_attempts = forms.IntegerField(min_value=1, max_value=20, initial=3)

    def __init__(self, *args, outcomes, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcomes = list(outcomes)

    def clean_levels(self) -> list[LevelSpec]:
        specs = []
        for number, line in enumerate(self.cleaned_data["levels"].splitlines(), 1):
            if not line.strip():
                continue
            match = LEVEL_LINE.match(line)
            if not match:
                raise ValidationError(f"Line {number}: write “name = points”.")
            specs.append(LevelSpec(match["name"], int(match["points"])))
        return specs

    def clean_pass_min_level(self):
        # Counted from 1 on every form, as the rubric builder and the grade
        # import count them; stored from 0.
        value = self.cleaned_data["pass_min_level"]
        return None if value is None else value - 1

    def clean_criteria(self) -> list[CriterionSpec]:
        specs = []
        for number, line in enumerate(self.cleaned_data["criteria"].splitlines(), 1):
            if not line.strip():
                continue
            name, _, refs = line.partition("|")
            outcomes = []
            for ref in filter(None, (r.strip() for r in refs.split(","))):
                if not ref.isdigit() or not 1 <= int(ref) <= len(self.outcomes):
                    raise ValidationError(
                        f"Line {number}: “{ref}” is not an outcome number "
                        f"(1 to {len(self.outcomes)})."
                    )
                outcomes.append(self.outcomes[int(ref) - 1])
            specs.append(CriterionSpec(name.strip(), outcomes))
        return specs


class GradeForm(forms.Form):
    """One radio group and one comment per criterion of the rubric."""

    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Overall comment",
    )

    def __init__(
        self, *args, criteria: list[Criterion], draft: Mark | None = None, **kwargs
    ):
        bound = (args and args[0] is not None) or kwargs.get("data") is not None
        if draft is not None and not bound:
            initial = {"comment": draft.comment}
            for ml in draft.levels.all():
                initial[f"level_{ml.criterion_id}"] = ml.level_id
                initial[f"comment_{ml.criterion_id}"] = ml.comment
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"level_{criterion.pk}"] = forms.TypedChoiceField(
                label=criterion.name,
                choices=[
                    (lv.pk, f"{lv.name} ({lv.points})") for lv in criterion.levels.all()
                ],
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "level-choice"}),
                error_messages={"required": f"Choose a level for “{criterion.name}”."},
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                required=False,
                label=f"Comment on {criterion.name}",
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def rows(self):
        for criterion in self.criteria:
            yield (
                criterion,
                self[f"level_{criterion.pk}"],
                self[f"comment_{criterion.pk}"],
            )

    def levels(self) -> dict[int, int]:
        return {
            c.pk: self.cleaned_data[f"level_{c.pk}"]
            for c in self.criteria
            if self.cleaned_data.get(f"level_{c.pk}") is not None
        }

    def comments(self) -> dict[int, str]:
        return {
            c.pk: self.cleaned_data.get(f"comment_{c.pk}", "") for c in self.criteria
        }

    def make_optional(self) -> None:
        """A draft may leave criteria open."""
        for criterion in self.criteria:
            self.fields[f"level_{criterion.pk}"].required = False

    def mark_levels(self) -> dict[int, int]:
        return {
            c.pk: self.cleaned_data[f"level_{c.pk}"]
            for c in self.criteria
            if self.cleaned_data.get(f"level_{c.pk}") not in (None, "")
        }


class TaskEditForm(forms.ModelForm):
    file_types = forms.MultipleChoiceField(
        choices=list(ACCEPTED_TYPES.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked to accept every type Cairn takes.",
    )

    class Meta:
        model = AssessmentTask
        fields = [
            "title",
            "instructions",
            "conditions",
            "tools",
            "success_criteria",
            "accepts_text",
            "accepts_links",
            "accepts_files",
            "file_types",
            "max_attempts",
            "retake_wait_days",
        ]
        labels = {
            "accepts_text": "Accept written evidence",
            "accepts_links": "Accept links",
            "accepts_files": "Accept files",
            "retake_wait_days": "Days to wait before a retake",
        }


class MarkingPolicyForm(forms.Form):
    second_mark_percent = forms.IntegerField(
        min_value=0,
        max_value=100,
        label="Share second-marked (%)",
        help_text="Every n-th finalised first mark, spread evenly.",
    )
    borderline_points = forms.IntegerField(
        min_value=0,
        required=False,
        label="Second-mark every pass within this many points of the minimum total",
    )
    moderation_tolerance = forms.IntegerField(
        min_value=0,
        label="Tolerance (points)",
        help_text="Marks further apart, or with different verdicts, go to a moderator.",
    )


class RubricPolicyForm(forms.Form):
    kind = forms.ChoiceField(choices=Rubric.Kind.choices)
    pass_min_total = forms.IntegerField(
        min_value=0, required=False, label="Minimum total to pass"
    )
    pass_min_level = forms.IntegerField(
        min_value=1,
        required=False,
        label="Minimum level on every criterion",
        help_text="1 is the lowest level.",
    )

    def clean_pass_min_level(self):
        value = self.cleaned_data["pass_min_level"]
        return None if value is None else value - 1


class CriterionForm(forms.Form):
    name = forms.CharField(max_length=200)
    outcomes = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    min_level = forms.IntegerField(
        min_value=1,
        required=False,
        label="Minimum level on this criterion",
        help_text="Leave empty unless this criterion has its own floor.",
    )

    def __init__(self, *args, outcomes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcomes"].queryset = outcomes

    def clean_min_level(self):
        value = self.cleaned_data["min_level"]
        return None if value is None else value - 1


class LevelColumnForm(forms.Form):
    name = forms.CharField(max_length=80)
    points = forms.IntegerField(min_value=0)


class CellForm(forms.Form):
    points = forms.IntegerField(min_value=0)
    descriptor = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class CopyRubricForm(forms.Form):
    source = forms.ModelChoiceField(queryset=None, label="Copy the rubric of")

    def __init__(self, *args, tasks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = tasks
        self.fields["source"].label_from_instance = lambda t: (
            f"{t.version.module.code} v{t.version.number}: {t.title}"
        )


class QueueFilterForm(forms.Form):
    task = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    cohort = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    status = forms.ChoiceField(required=False)
    age = forms.ChoiceField(
        required=False,
        choices=[
            ("", "Any age"),
            ("3", "Older than 3 days"),
            ("7", "Older than a week"),
            ("14", "Older than two weeks"),
        ],
    )

    def __init__(self, *args, tasks, cohorts, statuses, **kwargs):
        super().__init__(*args, **kwargs)
        # tasks, cohorts: (id, label) pairs (assessments.queue.queue_filter_choices).
        self.fields["task"].choices = [("", "All tasks"), *tasks]
        self.fields["cohort"].choices = [("", "All my cohorts"), *cohorts]
        self.fields["status"].choices = [("", "Everything")] + list(statuses.items())

    def menus(self) -> list[dict]:
        """Each field as the queue page writes its <select>: its name, id,
        label and options (value, label, selected), what {{ field }} renders
        through the form templates at several times the cost."""
        menus = []
        for field in self:
            value = field.value()
            chosen = "" if value is None else str(value)
            menus.append(
                {
                    "name": field.html_name,
                    "id": field.id_for_label,
                    "label": field.label,
                    "options": [
                        (option, label, str(option) == chosen)
                        for option, label in field.field.choices
                    ],
                }
            )
        return menus


class CohortForm(forms.Form):
    name = forms.CharField(max_length=120)


class CohortMemberForm(forms.Form):
    username = forms.CharField(label="Username or e-mail")
    role = forms.ChoiceField(choices=[("learner", "Learner"), ("faculty", "Grader")])


class RecognitionForm(forms.Form):
    learner = forms.CharField(label="Learner (username or e-mail)")
    version = forms.ModelChoiceField(queryset=None, label="Module version")
    source = forms.ChoiceField(
        choices=[
            (ModuleCompletion.Source.RECOGNITION, "Evidence of earlier learning"),
            (ModuleCompletion.Source.EXTERNAL, "An outside credential (Open Badges)"),
        ],
        widget=forms.RadioSelect,
    )
    decision = forms.ChoiceField(
        choices=[("accepted", "Accept"), ("declined", "Decline")],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    file = forms.FileField(
        required=False,
        help_text="The Open Badges file (JSON, JWT, or a baked PNG or SVG badge), "
        "or evidence (PDF, image).",
    )
    accept_expired = forms.BooleanField(
        required=False,
        label="Accept it although it has expired",
        help_text="An expired credential is refused unless you tick this; the "
        "reason above is recorded as the reason for accepting it.",
    )

    def __init__(self, *args, versions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].queryset = versions


class ImportGradesForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Columns: learner, one per criterion (level name or 1 = lowest), "
        "comment (optional).",
    )


class ChangeGradeForm(GradeForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), label="Reason for the change"
    )
