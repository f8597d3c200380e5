import re

from django import forms
from django.core.exceptions import ValidationError

from assessments.models import Criterion
from assessments.services import CriterionSpec, LevelSpec


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
    link = forms.URLField(
        assume_scheme="https",
        required=False,
        help_text="A link to work published elsewhere.",
    )
    files = MultipleFileField(
        required=False,
        help_text="PDF, PNG, JPEG, plain text or Office files, up to 10 MB each.",
    )


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
        min_value=0,
        required=False,
        label="Minimum level on every criterion",
        help_text="0 is the lowest level; 2 means at least the third level.",
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

    def __init__(self, *args, criteria: list[Criterion], **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"level_{criterion.pk}"] = forms.TypedChoiceField(
                label=criterion.name,
                choices=[
                    (lv.pk, f"{lv.name} ({lv.points})") for lv in criterion.levels.all()
                ],
                coerce=int,
                widget=forms.RadioSelect,
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
