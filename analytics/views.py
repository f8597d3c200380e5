import contextlib
from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.timezone import get_current_timezone_name
from django.views.decorators.http import require_GET

from accounts import csvsafe
from accounts.models import Membership, Organization
from accounts.permissions import get_organization_for
from analytics import charts, selectors, work
from analytics.forms import PeriodForm

Role = Membership.Role


def _headline(organization: Organization, *, days: int, now) -> Iterable[list]:
    return selectors.headline_rows(selectors.headline(organization, days=days, now=now))


def _months(organization: Organization, *, days: int, now) -> Iterable[list]:
    return selectors.month_rows(selectors.monthly_activity(organization, now=now))


def _pathways(organization: Organization, *, days: int, now) -> Iterable[list]:
    return selectors.pathway_rows(selectors.pathway_funnels(organization))


def _tasks(organization: Organization, *, days: int, now) -> Iterable[list]:
    return selectors.task_rows(selectors.task_statistics(organization))


# table name -> (rows, whether the rows depend on the chosen period)
TABLES: dict[str, tuple[Callable[..., Iterable[list]], bool]] = {
    "headline": (_headline, True),
    "months": (_months, False),
    "pathways": (_pathways, False),
    "tasks": (_tasks, False),
}


def _csv_response(
    organization: Organization, table: str, *, days: int, now
) -> HttpResponse:
    rows, by_period = TABLES[table]
    period = f"-last-{days}-days" if by_period else ""
    filename = f"{organization.slug}-analytics-{table}{period}-{now:%Y-%m-%d}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    csvsafe.writer(response).writerows(rows(organization, days=days, now=now))
    return response


@login_required
@require_GET
def organization_analytics(request: HttpRequest, slug: str) -> HttpResponse:
    """An admin's figures for their organization, or one table of them as CSV."""
    organization = get_organization_for(request.user, slug, Role.ADMIN)
    data = request.GET.copy()
    data.setdefault("days", str(selectors.DEFAULT_PERIOD))
    form = PeriodForm(data)
    days = form.period()
    now = timezone.now()
    if "format" in request.GET:
        table = request.GET.get("table", "")
        if request.GET["format"] != "csv":
            return HttpResponseBadRequest("Only format=csv is offered.")
        if table not in TABLES:
            return HttpResponseBadRequest(
                f"Choose a table: {', '.join(TABLES)} (table=…)."
            )
        if form.errors:
            return HttpResponseBadRequest(
                f"Choose a period of {', '.join(map(str, selectors.PERIODS))} days."
            )
        return _csv_response(organization, table, days=days, now=now)
    found = selectors.cached_dashboard(organization, days=days, now=now)
    return render(
        request,
        "analytics/organization_detail.html",
        {
            "organization": organization,
            "form": form,
            "days": days,
            "found": found,
            "figures": _figures(request, found, days=days),
        },
        status=400 if form.errors else 200,
    )


def _figures(request: HttpRequest, found: selectors.Dashboard, *, days: int) -> str:
    """The figures' HTML, rendered once per reading of them: it is four fifths
    of the page's time, and the reading is kept for minutes (cached_dashboard),
    so it is kept as long, under a key naming that reading and everything else
    the HTML depends on (period, time zone, language)."""
    if found.read_at is None:  # read afresh on every request: nothing to keep
        return _render_figures(request, found, days=days)
    key = ":".join(
        [
            "analytics:figures",
            str(found.organization.pk),
            str(days),
            found.read_at.isoformat(),
            get_current_timezone_name(),
            translation.get_language() or "",
        ]
    )
    try:
        html = cache.get(key)
    except Exception:  # noqa: BLE001 - the cache down: render afresh
        return _render_figures(request, found, days=days)
    if html is None:
        html = _render_figures(request, found, days=days)
        with contextlib.suppress(Exception):  # the cache gone meanwhile
            cache.set(key, str(html), settings.CAIRN_ANALYTICS_CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308 - our own template's output


def _render_figures(
    request: HttpRequest, found: selectors.Dashboard, *, days: int
) -> str:
    chart = charts.grouped_bars(
        [m.label for m in found.months],
        [
            charts.Series(
                "Module completions", [m.module_completions for m in found.months]
            ),
            charts.Series(
                "Pathway completions", [m.pathway_completions for m in found.months]
            ),
            charts.Series("Awards issued", [m.awards_issued for m in found.months]),
        ],
    )
    funnels = [
        (row, charts.funnel_widths([row.enrolled, row.started, row.completed]))
        for row in found.pathways
    ]
    return render_to_string(
        "analytics/_figures.html",
        {
            "days": days,
            "found": found,
            "chart": chart,
            "funnels": funnels,
            "has_monthly_activity": any(
                m.module_completions or m.pathway_completions or m.awards_issued
                for m in found.months
            ),
        },
        request,
    )


@login_required
@require_GET
def queued_work(request: HttpRequest, slug: str) -> HttpResponse:
    """An admin's view of the queue: what waits, since when, and what failed."""
    organization = get_organization_for(request.user, slug, Role.ADMIN)
    return render(
        request,
        "analytics/queued_work.html",
        {
            "organization": organization,
            "health": work.queue_health(organization),
            "task_failures": work.task_failures(request.user),
        },
    )
