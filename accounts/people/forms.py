from zoneinfo import available_timezones

from django import forms
from django.contrib.auth import get_user_model, password_validation

from accounts.models import Membership

Role = Membership.Role


class OrganizationForm(forms.Form):
    name = forms.CharField(max_length=200)
    slug = forms.SlugField(
        max_length=50, help_text="Short name in addresses, e.g. northfield."
    )
    url = forms.URLField(required=False, label="Web site", assume_scheme="https")
    time_zone = forms.CharField(
        max_length=64,
        required=False,
        help_text="An IANA time zone, e.g. Europe/Dublin or America/Chicago; "
        "empty means the site's.",
        widget=forms.TextInput(attrs={"list": "time-zones", "autocomplete": "off"}),
    )
    logo = forms.FileField(
        required=False, help_text="PNG or JPEG, at most 512 KB (optional)."
    )

    @staticmethod
    def time_zones() -> list[str]:
        return sorted(available_timezones())


class MemberSearchForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=200,
        label="Search",
        help_text="Name, username, e-mail or student number.",
    )
    role = forms.ChoiceField(
        required=False, choices=[("", "Every role"), *Role.choices]
    )


class InviteForm(forms.Form):
    email = forms.EmailField(label="E-mail")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.LEARNER)

    def __init__(self, *args, **kwargs) -> None:
        # Its own ids: the people page shows it beside the member search,
        # whose role filter is id_role too (the label "Role" pointed at it).
        kwargs.setdefault("auto_id", "invite_%s")
        super().__init__(*args, **kwargs)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class InvitationSignUpForm(forms.Form):
    """A new account for an invited address (the e-mail is the invitation's)."""

    username = forms.CharField(max_length=150)
    first_name = forms.CharField(max_length=150, label="Given name")
    last_name = forms.CharField(max_length=150, label="Family name", required=False)
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict:
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords differ.")
        elif first:
            probe = get_user_model()(
                username=data.get("username", ""),
                email=self.email,
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
            )
            try:
                password_validation.validate_password(first, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data
