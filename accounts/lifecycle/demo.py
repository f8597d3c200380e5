"""The account lifecycle's part of the demo: Northfield takes self-registrations
from its students' domain, and Lucy has verified her address."""

from allauth.account.models import EmailAddress

from accounts.lifecycle import services
from accounts.models import Organization, SignupPolicy

DEMO_DOMAIN = "northfield.example.edu"


def extend_demo(organization: Organization, users: dict) -> None:
    if SignupPolicy.objects.filter(organization=organization).exists():
        return
    services.set_signup_policy(
        organization, by=users["ada"], is_open=True, email_domains=[DEMO_DOMAIN]
    )
    lucy = users["lucy"]
    EmailAddress.objects.get_or_create(
        user=lucy, email=lucy.email, defaults={"verified": True, "primary": True}
    )
