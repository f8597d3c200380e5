"""A certificate template's settings: layout, colours, font, signatories and
which fields appear. Pure: checked and shaped here, stored as JSON by the
models, read by the renderer (credentials/certificates.py)."""

import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError

# Page presets: (width, height) in millimetres.
PAGE_SIZES = {
    "a4-landscape": ("A4 landscape", 297, 210),
    "a4-portrait": ("A4 portrait", 210, 297),
    "letter-landscape": ("US Letter landscape", 279.4, 215.9),
    "letter-portrait": ("US Letter portrait", 215.9, 279.4),
}

# The bundled fonts (static/fonts, each with its SIL Open Font License); "classic"
# is the system's DejaVu Serif, as certificates were before templates.
FONTS = {
    "classic": ("DejaVu Serif (classic)", ""),
    "eb-garamond": ("EB Garamond", "EB Garamond"),
    "lora": ("Lora", "Lora"),
    "source-sans-3": ("Source Sans 3", "Source Sans 3"),
}
FONT_FACES = (("400", "normal"), ("400", "italic"), ("700", "normal"))

# What a template may show, in the order of the form, with plain labels.
FIELDS = {
    "learner": "The learner's name",
    "achievement": "The achievement's name and description",
    "level_credits": "Level and credits",
    "outcomes": "Learning outcomes",
    "rubric_results": "Rubric results",
    "dates": "Date of issue",
    "expiry": "Valid until",
    "qr_code": "QR code",
    "credential_id": "Credential ID and verification address",
}
DEFAULT_FIELDS = tuple(name for name in FIELDS if name != "rubric_results")

MAX_SIGNATORIES = 3
MAX_SIGNATURE_BYTES = 256 * 1024
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULT_MAIN = "#1d2b45"
DEFAULT_ACCENT = "#b08d4f"


@dataclass(frozen=True)
class Signatory:
    name: str
    title: str = ""
    image_data_uri: str = ""  # "data:image/png;base64,..." or empty


@dataclass(frozen=True)
class CertificateDesign:
    page: str = "a4-landscape"
    font: str = "classic"
    main_colour: str = DEFAULT_MAIN
    accent_colour: str = DEFAULT_ACCENT
    fields: tuple[str, ...] = DEFAULT_FIELDS
    signatories: tuple[Signatory, ...] = ()
    logo_data_uri: str = ""  # the template's own logo; else the issuer's
    show_logo: bool = True

    @property
    def page_mm(self) -> tuple[float, float]:
        _, width, height = PAGE_SIZES[self.page]
        return width, height

    @property
    def landscape(self) -> bool:
        width, height = self.page_mm
        return width > height

    @property
    def font_family(self) -> str:
        family = FONTS[self.font][1]
        fallback = '"DejaVu Serif", serif'
        return f'"{family}", {fallback}' if family else fallback

    def shows(self, name: str) -> bool:
        return name in self.fields


DEFAULT_DESIGN = CertificateDesign()


def font_files(font: str) -> dict[tuple[str, str], Path]:
    """The bundled files of a font, by (weight, style)."""
    if not FONTS[font][1]:
        return {}
    folder = Path(django_settings.BASE_DIR) / "static" / "fonts" / font
    return {
        (weight, style): folder / f"{font}-latin-{weight}-{style}.woff"
        for weight, style in FONT_FACES
    }


def mix(colour: str, other: str, amount: float) -> str:
    """`colour` moved `amount` (0–1) of the way towards `other`."""
    a = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    b = [int(other[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(
        f"{round(x + (y - x) * amount):02x}" for x, y in zip(a, b, strict=True)
    )


def luminance(colour: str) -> float:
    """WCAG relative luminance."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(colour[i : i + 2], 16)) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, two: str) -> float:
    light, dark = sorted((luminance(one), luminance(two)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def design_from_settings(data: dict | None) -> CertificateDesign:
    """The design a stored template says; unknown or missing keys take the
    defaults, so an older stored version still renders."""
    data = data or {}
    page = data.get("page") if data.get("page") in PAGE_SIZES else DEFAULT_DESIGN.page
    font = data.get("font") if data.get("font") in FONTS else DEFAULT_DESIGN.font
    fields = data.get("fields")
    return CertificateDesign(
        page=page,
        font=font,
        main_colour=_colour(data.get("main_colour"), DEFAULT_MAIN),
        accent_colour=_colour(data.get("accent_colour"), DEFAULT_ACCENT),
        fields=DEFAULT_FIELDS
        if fields is None
        else tuple(name for name in FIELDS if name in fields),
        signatories=tuple(
            Signatory(
                name=str(s.get("name", "")),
                title=str(s.get("title", "")),
                image_data_uri=str(s.get("image", "")),
            )
            for s in (data.get("signatories") or [])[:MAX_SIGNATORIES]
            if s.get("name")
        ),
        logo_data_uri=str(data.get("logo", "")),
        show_logo=bool(data.get("show_logo", True)),
    )


def _colour(value, default: str) -> str:
    return value.lower() if isinstance(value, str) and COLOUR.match(value) else default


def checked_settings(
    *,
    page: str,
    font: str,
    main_colour: str,
    accent_colour: str,
    fields: list[str],
    show_logo: bool,
) -> dict:
    """The form's choices as settings, or a ValidationError naming each problem."""
    errors: dict[str, str] = {}
    if page not in PAGE_SIZES:
        errors["page"] = "Choose one of the listed page layouts."
    if font not in FONTS:
        errors["font"] = "Choose one of the listed fonts."
    for name, value in (("main_colour", main_colour), ("accent_colour", accent_colour)):
        if not COLOUR.match(value or ""):
            errors[name] = (
                "Give the colour as # and six hexadecimal digits, e.g. #1d2b45."
            )
    if "main_colour" not in errors and contrast(main_colour, "#ffffff") < 4.5:
        errors["main_colour"] = (
            "This colour is too light to read on white paper: choose a darker one."
        )
    unknown = set(fields) - set(FIELDS)
    if unknown:
        errors["fields"] = "Choose fields from the list."
    if errors:
        raise ValidationError(errors)
    return {
        "page": page,
        "font": font,
        "main_colour": main_colour.lower(),
        "accent_colour": accent_colour.lower(),
        "fields": [name for name in FIELDS if name in fields],
        "show_logo": bool(show_logo),
    }
