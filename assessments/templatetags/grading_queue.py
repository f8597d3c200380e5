"""{% queue_rows page %}: the grading queue's table rows, written in Python as
the admin's change list writes its rows (django.contrib.admin's
items_for_result): each of 25 rows had a dozen variables, filters and tags to
render, which cost the page more than its SQL. The same HTML as the template
wrote, escaped the same way; dates in the current time zone and language."""

from django import template
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.formats import get_format, localize
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince

from accounts.templatetags.fixed_urls import fixed_url

register = template.Library()

_ROW = (
    '<tr><td>{} <span class="muted">({} ago)</span></td>\n'
    "          <td>{}</td><td>{}</td>\n"
    "          <td>{}</td><td>{}</td>\n"
    "          <td>{}{}</td>\n"
    '          <td><a class="button" href="{}">{}</a></td></tr>\n'
)
_DRAFT = mark_safe(' <span class="badge">your draft</span>')  # noqa: S308


@register.simple_tag
def queue_rows(rows) -> SafeString:
    """`rows`: the page's assessments.queue.QueueRow. What is the same for
    every row (the format, the stages' and actions' words in the language in
    force) is looked up once."""
    now = timezone.now()
    shown = get_format("DATETIME_FORMAT")
    words = {}
    for row in rows:
        if row.status not in words:
            words[row.status] = (str(row.stage), str(row.action))
    return format_html_join(
        "",
        _ROW,
        (
            (
                format_date(timezone.localtime(row.submitted_at), shown),
                timesince(row.submitted_at, now),
                row.learner_name,
                row.task_title,
                row.module_code,
                localize(row.attempt),
                words[row.status][0],
                _DRAFT if row.has_draft else "",
                fixed_url("assessments:grade", row.pk),
                words[row.status][1],
            )
            for row in rows
        ),
    )
