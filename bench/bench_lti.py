"""LTI results benchmark: figures and ratios, never pass or fail.

    make bench  (or: python -m bench lti)

A course of 2,000 learners on the loopback LTI platform (the tests' platform,
built on lti1p3platform) with one line item scored for all of them, paged 100
results a page. Measures reading the results over HTTP (token, 20 pages) and
matching them against an award rule into 2,000 module completions, then the
same 2,000 completions made by the existing CSV grade import
(assessments.services.import_grades) on a second module. Each run is rolled
back, so the database is left as it was; it uses DATABASE_URL.
"""

import os
import time
import uuid
from decimal import Decimal

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from accounts.models import Membership  # noqa: E402
from assessments.models import ModuleCompletion  # noqa: E402
from assessments.services import import_grades  # noqa: E402
from integrations.lti import ags, keys, registration  # noqa: E402
from integrations.models import (  # noqa: E402
    LtiAwardRule,
    LtiContext,
    LtiIdentity,
)
from tests import builders  # noqa: E402
from tests.integrations.lti.platform import Platform  # noqa: E402

LEARNERS = int(os.environ.get("BENCH_LTI_LEARNERS", 2000))
PAGE = 100


class RollBack(Exception):
    pass


def timed(call):
    start = time.perf_counter()
    result = call()
    return time.perf_counter() - start, result


def _learners(cast) -> list:
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"bench-{uuid.uuid4().hex[:12]}")
        for _ in range(LEARNERS)
    )
    Membership.objects.bulk_create(
        Membership(organization=cast.organization, user=u, role="learner")
        for u in users
    )
    return users


def main() -> None:
    print(f"  {LEARNERS:,} learners, database: {connection.vendor}", flush=True)
    platform = Platform()
    figures = {}
    try:
        with transaction.atomic():
            cast = builders.make_cast()
            lms_task = builders.make_module(cast, "LMS-1")
            csv_task = builders.make_module(cast, "CSV-1")
            learners = _learners(cast)
            registered = registration.register_platform(
                cast.organization, by=cast["admin"], **platform.tool_fields()
            )
            platform.register_tool(
                login_url="http://127.0.0.1/unused",
                launch_url="http://127.0.0.1/unused",
                tool_jwks=keys.tool_jwks(cast.organization),
            )
            platform.page_size = PAGE
            item = platform.add_line_item("final", "Final exam")
            LtiIdentity.objects.bulk_create(
                LtiIdentity(platform=registered, subject=f"u{n}", user=user)
                for n, user in enumerate(learners)
            )
            for n in range(LEARNERS):
                platform.post_score(item, f"u{n}", 90)
            context = LtiContext.objects.create(
                platform=registered,
                context_id="bench",
                lineitems_url=platform.url + "/course/lineitems",
            )
            LtiAwardRule.objects.create(
                context=context,
                module=lms_task.version.module,
                line_items=[item],
                min_percent=Decimal(80),
            )
            figures["AGS read"], scores = timed(
                lambda: ags.read_scores(context, {item})
            )
            figures["AGS match"], made = timed(
                lambda: ags.apply_scores(context, scores)
            )
            figures["AGS again"], again = timed(
                lambda: ags.apply_scores(context, scores)
            )
            lines = ["learner,Accuracy,Communication"] + [
                f"{u.username},3,3" for u in learners
            ]
            data = ("\n".join(lines) + "\n").encode()
            figures["CSV import"], imported = timed(
                lambda: import_grades(csv_task, by=cast["faculty"], data=data)
            )
            completions = ModuleCompletion.objects.filter(
                version__in=[lms_task.version, csv_task.version]
            ).count()
            raise RollBack
    except RollBack:
        pass
    finally:
        platform.stop()
    for name, seconds in figures.items():
        print(f"  {name:12} {seconds:7.2f} s  {LEARNERS / seconds:9,.0f} learners/s")
    lms = figures["AGS read"] + figures["AGS match"]
    print(
        f"  LMS results → completions: {made['recorded']:,} recorded "
        f"(again: {again['recorded']}); CSV import: {len(imported):,} grades; "
        f"{completions:,} completions in all"
    )
    print(f"  AGS read + match / CSV import: {lms / figures['CSV import']:.2f}")


if __name__ == "__main__":
    main()
