"""{% queue_rows page %}: the grading queue's table rows, written in Python as
the admin's change list writes its rows (django.contrib.admin's
items_for_result): each of 25 rows had a dozen variables, filters and tags to
render, which cost the page more than its SQL. The same HTML as the template
wrote, escaped the same way; dates in the current time zone and language.

A row's HTML but its age ("2 days, 3 hours ago") is a function of the row's
shown values, the time zone, the language, the date format and the grade
page's address: it is remembered under all of them (most rows are on the page
again at the next request), as is the age under the whole minutes it counts.
Nothing is remembered that a request does not name in full."""

from datetime import datetime, timedelta
from functools import lru_cache
from html import escape

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.formats import get_format, localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince
from django.utils.translation import get_language

from accounts.templatetags.fixed_urls import fixed_url

register = template.Library()

# A row, around its age (the only part written anew on every request).
_BEFORE = '<tr><td>{} <span class="muted">('
_AFTER = (
    " ago)</span></td>\n"
    "          <td>{}</td><td>{}</td>\n"
    "          <td>{}</td><td>{}</td>\n"
    "          <td>{}{}</td>\n"
    '          <td><a class="button" href="{}">{}</a></td></tr>\n'
)
_DRAFT = ' <span class="badge">your draft</span>'
# A row's id put through the grade page's fixed_url, where it is split off.
_MARK = 7_362_514_908
ROWS_KEPT = 4096
# A menu of an organization's tasks is one HTML string per choice among them.
MENUS_KEPT = 256


@register.simple_tag
def queue_rows(rows) -> SafeString:
    """`rows`: the page's assessments.queue.QueueRow."""
    if not rows:
        return mark_safe("")  # noqa: S308
    now = timezone.now()
    url = fixed_url("assessments:grade", _MARK).split(str(_MARK))
    context = (
        timezone.get_current_timezone(),
        get_language(),
        get_format("DATETIME_FORMAT"),
        tuple(url),
    )
    html = []
    for row in rows:
        before, after = _row_html(row, context)
        html.append(before + age(row.submitted_at, now) + after)
    return mark_safe("".join(html))  # noqa: S308 (each value escaped)


@register.simple_tag
def queue_menus(filters) -> SafeString:
    """The filter form's <select> menus (QueueFilterForm.menus()), as the
    template's two nested loops wrote them: a dozen variables and an `if` per
    option cost the page more than the rest of its content. Each menu's HTML
    is remembered under all it shows (its options and which is chosen) and
    the language."""
    language = get_language()
    return mark_safe(  # noqa: S308 (each value escaped)
        "".join(
            _menu_html(m["name"], m["id"], m["label"], tuple(m["options"]), language)
            for m in filters.menus()
        )
    )


@lru_cache(maxsize=MENUS_KEPT)
def _menu_html(name, id_, label, options: tuple, language) -> str:
    name, id_ = conditional_escape(name), conditional_escape(id_)
    html = [
        f'<div class="field"><label for="{id_}">{conditional_escape(label)}</label>'
        f'<select name="{name}" id="{id_}">\n      '
    ]
    html.extend(
        f'<option value="{conditional_escape(localize(value))}"'
        f"{' selected' if selected else ''}>"
        f"{conditional_escape(localize(text))}</option>\n      "
        for value, text, selected in options
    )
    html.append("</select></div>")
    return "".join(html)


@lru_cache(maxsize=ROWS_KEPT)
def _row_html(row, context: tuple) -> tuple[str, str]:
    """A row's HTML before and after its age. `context`: the time zone,
    language, date format and the grade page's address around the row's id,
    all in force (the time zone and language are also activated by the
    request, as in the call that put them in the key)."""
    _zone, _language, shown, (url_head, url_tail) = context
    date = format_date(timezone.localtime(row.submitted_at), shown)
    return _BEFORE.format(escape(date)), _AFTER.format(
        escape(row.learner_name),
        escape(row.task_title),
        escape(row.module_code),
        escape(str(localize(row.attempt))),
        escape(str(row.stage)),
        _DRAFT if row.has_draft else "",
        escape(f"{url_head}{row.pk}{url_tail}"),
        escape(str(row.action)),
    )


# Under this, no month can be between two times (February's 28 days is the
# shortest), and timesince's weeks, days, hours and minutes all follow from
# the whole minutes between them.
_NO_MONTH = timedelta(days=28)
_EPOCH = datetime(2000, 1, 1)  # noqa: DTZ001 (naive: a span of minutes, no zone)


def age(since: datetime, now: datetime) -> str:
    """timesince(since, now), escaped: under four weeks remembered by the whole
    minutes it counts and the language."""
    if timezone.is_aware(since) and timezone.is_aware(now):
        now = now.astimezone(since.tzinfo)  # as timesince compares them
    span = now - since
    if span >= _NO_MONTH:
        return escape(timesince(since, now))
    minutes = max(int(span.total_seconds() // 60), 0)
    return _minutes_ago(minutes, get_language())


@lru_cache(maxsize=ROWS_KEPT)
def _minutes_ago(minutes: int, language: str | None) -> str:
    return escape(timesince(_EPOCH, _EPOCH + timedelta(minutes=minutes)))


@receiver(setting_changed)
def _forget(**kwargs) -> None:
    # A format, time zone or language setting overridden (tests): written anew.
    _row_html.cache_clear()
    _menu_html.cache_clear()
    _minutes_ago.cache_clear()
