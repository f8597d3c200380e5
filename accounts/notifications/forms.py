from django import forms

from accounts.models import Organization


class BrandingForm(forms.ModelForm):
    brand_colour = forms.RegexField(
        label="Brand colour",
        regex=r"^#[0-9a-fA-F]{6}$",
        max_length=7,
        help_text="The colour of the e-mail's header and buttons, as #RRGGBB.",
        error_messages={"invalid": "Give the colour as # and six hexadecimal digits."},
        widget=forms.TextInput(attrs={"type": "color"}),
    )

    class Meta:
        model = Organization
        fields = ["email_sender_name", "brand_colour", "email_footer"]
        widgets = {"email_footer": forms.Textarea(attrs={"rows": 3})}
