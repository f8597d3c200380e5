"""How the analytics page writes its numbers."""

from django import template

register = template.Library()

NONE = "—"


@register.filter
def percent(value: float | None) -> str:
    return NONE if value is None else f"{100 * value:.1f} %"


@register.filter
def days(value: float | None) -> str:
    return NONE if value is None else f"{value:.1f}"


@register.filter
def change(figure) -> str:
    """The difference from the previous period, signed, in words for none."""
    difference = figure.change
    if difference is None:
        return NONE
    if abs(difference) < (0.05 if figure.is_days else 1):
        return "no change"
    text = f"{abs(difference):.1f}" if figure.is_days else f"{abs(difference):.0f}"
    return f"+{text}" if difference > 0 else f"−{text}"
