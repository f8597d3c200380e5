"""A person's download of everything Cairn holds about them."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from credentials import services


@login_required
@require_GET
def personal_data_export(request: HttpRequest) -> StreamingHttpResponse:
    """One ZIP archive, written while it is sent (credentials/services/
    personal_data.py)."""
    response = StreamingHttpResponse(
        services.personal_data_archive(request.user), content_type="application/zip"
    )
    filename = f"cairn-{request.user.username}-{timezone.localdate():%Y-%m-%d}.zip"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
