"""A notification's e-mail: HTML with a plain-text alternative, rendered from
templates in the organization's branding (logo, colour, sender name, footer)."""

import re
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import Notification, Organization

COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULT_COLOUR = "#1d4e89"


@dataclass(frozen=True)
class Branding:
    name: str
    sender: str
    colour: str
    footer: str
    logo_url: str  # absolute, or empty


def branding_of(organization: Organization | None) -> Branding:
    if organization is None:
        return Branding("Cairn", "Cairn", DEFAULT_COLOUR, "", "")
    colour = organization.brand_colour
    return Branding(
        name=organization.name,
        sender=organization.email_sender_name or organization.name,
        colour=colour if COLOUR.match(colour or "") else DEFAULT_COLOUR,
        footer=organization.email_footer,
        logo_url=settings.SITE_URL
        + reverse("accounts:organization-logo", args=[organization.slug])
        if organization.logo
        else "",
    )


def _sender(branding: Branding) -> str:
    address = settings.DEFAULT_FROM_EMAIL
    name = branding.sender.replace('"', "'").replace("\n", " ")
    return f'"{name}" <{address}>'


def absolute(url: str) -> str:
    return settings.SITE_URL + url if url.startswith("/") else url


def compose(
    *,
    to: str,
    subject: str,
    items: list[Notification],
    branding: Branding,
    digest: bool = False,
) -> EmailMultiAlternatives:
    """One e-mail telling `items` (one, or the day's for a digest)."""
    context = {
        "subject": subject,
        "items": [
            {"title": n.title, "body": n.body, "url": absolute(n.url) if n.url else ""}
            for n in items
        ],
        "digest": digest,
        "brand": branding,
        "preferences_url": absolute(reverse("accounts:account")),
        "notifications_url": absolute(reverse("accounts:notifications")),
    }
    text = render_to_string("accounts/notifications/mail/message.txt", context)
    html = render_to_string("accounts/notifications/mail/message.html", context)
    message = EmailMultiAlternatives(subject, text, _sender(branding), [to])
    message.attach_alternative(html, "text/html")
    return message
