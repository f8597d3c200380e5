"""{% award_rows page.object_list %}: the admin's award list rows, written in
Python as the admin's change list writes its rows (django.contrib.admin's
items_for_result) and as the grading queue writes its own: a template's
variables, filters and tags on each of 25 rows cost the page more than its
SQL. The same HTML as the template wrote, escaped the same way."""

from django import template
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.formats import get_format
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe

from accounts.templatetags.fixed_urls import fixed_url

register = template.Library()

_ROW = (
    "<tr>\n"
    '        <td><a href="{}">{}</a></td>\n'
    "        <td>{}</td>\n"
    "        <td>{}</td>\n"
    "        <td>{}</td>\n"
    "        <td>{}</td>\n"
    "      </tr>\n"
)
_REVOKED = mark_safe('<span class="badge revoked">Revoked</span>')  # noqa: S308
_SUSPENDED = mark_safe('<span class="badge revoked">Suspended</span>')  # noqa: S308


@register.simple_tag
def award_rows(rows) -> SafeString:
    """`rows`: the page's credentials.award_selectors.AwardRow. The date format and
    the kinds' words in the language in force are looked up once."""
    shown = get_format("DATE_FORMAT")
    kinds = {row.kind: str(row.kind_label) for row in rows}
    return format_html_join(
        "",
        _ROW,
        (
            (
                fixed_url("credentials:verify", row.uuid),
                row.achievement_name,
                row.learner_name,
                kinds[row.kind],
                format_date(timezone.localtime(row.issued_at), shown),
                _REVOKED
                if row.is_revoked
                else _SUSPENDED
                if row.is_suspended
                else "Valid",
            )
            for row in rows
        ),
    )
