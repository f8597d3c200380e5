"""The audit trail as a CSV download, for the audit page and the API alike:
streamed in bounded memory, every cell made safe for spreadsheets
(accounts.csvsafe)."""

from django.http import StreamingHttpResponse
from django.utils import timezone

from accounts import csvsafe, selectors
from accounts.models import Organization


class _Echo:
    """A file that hands back what is written, for a CSV writer in a stream."""

    def write(self, value: str) -> str:
        return value


def audit_csv_response(organization: Organization, entries) -> StreamingHttpResponse:
    writer = csvsafe.writer(_Echo())
    response = StreamingHttpResponse(
        (
            writer.writerow(row)
            for row in selectors.audit_csv_rows(entries, organization)
        ),
        content_type="text/csv; charset=utf-8",
    )
    filename = f"{organization.slug}-audit-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
