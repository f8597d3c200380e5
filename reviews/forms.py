from django import forms

from reviews.models import AdvisoryBoard, Comment, Vote


class BoardForm(forms.Form):
    organization = forms.ModelChoiceField(queryset=None)
    name = forms.CharField(max_length=200)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    approvals_needed = forms.IntegerField(
        min_value=1, initial=2, help_text="How many members must approve a version."
    )
    rejections_allowed = forms.IntegerField(
        min_value=0, initial=0, help_text="0 means a single rejection rejects."
    )
    review_days = forms.IntegerField(
        min_value=1, max_value=180, initial=14, help_text="Usual time to review."
    )

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        if organizations.count() == 1:
            self.fields["organization"].initial = organizations.first()


class InviteForm(forms.Form):
    name = forms.CharField(max_length=200)
    email = forms.EmailField()
    is_practitioner = forms.BooleanField(
        required=False, initial=True, label="Outside practitioner"
    )


class AcceptForm(forms.Form):
    username = forms.CharField(max_length=150)
    password = forms.CharField(widget=forms.PasswordInput, min_length=10)
    is_named_publicly = forms.BooleanField(
        required=False,
        label="Name me on public version histories when I approve a version",
    )


class NamingForm(forms.Form):
    is_named_publicly = forms.BooleanField(
        required=False,
        label="Name me on public version histories when I approve a version",
    )


class SubmitForm(forms.Form):
    board = forms.ModelChoiceField(queryset=AdvisoryBoard.objects.none())
    due_on = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        required=False,
        help_text="Leave empty for the board's usual time.",
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="What should the board look at in particular?",
    )

    def __init__(self, *args, boards, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["board"].queryset = boards
        if boards.count() == 1:
            self.fields["board"].initial = boards.first()


class DeclarationForm(forms.Form):
    has_conflict = forms.TypedChoiceField(
        choices=[
            ("no", "I have no conflict of interest"),
            ("yes", "I have a conflict of interest"),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        label="Conflict of interest",
    )
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="If you have one, say what it is.",
    )


class CommentForm(forms.Form):
    anchor_kind = forms.ChoiceField(
        choices=Comment.Anchor.choices, widget=forms.HiddenInput
    )
    anchor_key = forms.CharField(required=False, widget=forms.HiddenInput)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Comment")


class ResponseForm(forms.Form):
    response = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Answer"
    )
    resolve = forms.BooleanField(required=False, label="Mark as resolved")


class VoteForm(forms.Form):
    decision = forms.ChoiceField(
        choices=Vote.Decision.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))


class WithdrawForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
