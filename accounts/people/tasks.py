from celery import shared_task

from accounts.models import Invitation
from accounts.people import services


@shared_task
def send_invitation(invitation_id: int, token: str) -> None:
    """E-mail an invitation's link (sent once; a re-run sends the same link)."""
    invitation = Invitation.objects.select_related("organization").get(pk=invitation_id)
    services.send_invitation(invitation, token)
