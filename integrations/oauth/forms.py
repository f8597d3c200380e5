from django import forms
from django.core.validators import URLValidator

from integrations.oauth.services import AUTHORIZATION_CODE, CLIENT_CREDENTIALS
from integrations.tokens.forms import RolesField


class OAuthClientForm(forms.Form):
    name = forms.CharField(
        max_length=100, help_text="Shown to people when it asks for their consent."
    )
    grant = forms.ChoiceField(
        label="How it gets tokens",
        widget=forms.RadioSelect,
        choices=[
            (
                AUTHORIZATION_CODE,
                "Authorization code with PKCE: it acts for each person who "
                "consents (a wallet, a portal)",
            ),
            (
                CLIENT_CREDENTIALS,
                "Client credentials: it acts as a service account of this "
                "organization (a back-office system)",
            ),
        ],
        initial=AUTHORIZATION_CODE,
    )
    redirect_uris = forms.CharField(
        label="Redirect URIs",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One a line; where people are sent back after consenting "
        "(authorization code only).",
    )
    public = forms.BooleanField(
        label="Public client (a browser or mobile app that cannot keep a secret)",
        required=False,
    )
    roles = RolesField(
        required=False,
        help_text="For client credentials: what its service account may do here.",
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean_redirect_uris(self) -> list[str]:
        uris = self.cleaned_data["redirect_uris"].split()
        check = URLValidator(schemes=["http", "https"])
        for uri in uris:
            check(uri)
        return uris

    def clean(self) -> dict:
        data = super().clean()
        grant = data.get("grant")
        if grant == AUTHORIZATION_CODE and not data.get("redirect_uris"):
            self.add_error("redirect_uris", "Give at least one redirect URI.")
        if grant == CLIENT_CREDENTIALS:
            if not data.get("roles"):
                self.add_error("roles", "Choose the roles of its service account.")
            if data.get("public"):
                self.add_error("public", "A client-credentials client keeps a secret.")
        return data
