"""CASE import benchmark: figures and ratios, never pass or fail.

    make bench  (or: python -m bench case_import)

Builds a CASE 1.1 package of 2,000 items in a tree four levels deep (with 2,000
isChildOf and 400 other associations), then measures reading it (JSON and
checks, no database), importing it (one transaction, bulk inserts) and exporting
it back. Items per second, and the peak Python memory of an import from
tracemalloc. The ratio of import to reading shows what the database costs. Each
import is rolled back, so the database is left as it was; it uses DATABASE_URL
(SQLite by default).
"""

import json
import os
import statistics
import time
import tracemalloc
import uuid

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")
django.setup()

from django.db import connection, transaction  # noqa: E402

from accounts.models import Organization  # noqa: E402
from curriculum import case, framework_services, selectors  # noqa: E402

ITEMS = 2000
RUNS = 3


def build_package(items: int = ITEMS) -> bytes:
    """A package shaped like a state standards framework: grades, domains,
    clusters, standards; statements with Markdown and characters beyond the BMP."""
    document_id = str(uuid.uuid4())
    base = "https://case.example.org/uri/"
    document = {
        "identifier": document_id,
        "uri": base + document_id,
        "creator": "Cairn bench",
        "title": f"Bench framework of {items} items",
        "lastChangeDateTime": "2026-01-01T00:00:00+00:00",
        "caseVersion": "1.1",
    }
    cf_items, associations = [], []
    for n in range(items):
        identifier = str(uuid.uuid4())
        cf_items.append(
            {
                "identifier": identifier,
                "uri": base + identifier,
                "fullStatement": f"**Standard {n}**: reason about ratios 𝑥 ∶ 𝑦 ({n})",
                "humanCodingScheme": f"B.{n // 500}.{n // 50}.{n}",
                "CFItemType": ["Grade", "Domain", "Cluster", "Standard"][min(3, n % 4)],
                "educationLevel": [f"{n % 12 + 1:02d}"],
                "lastChangeDateTime": "2026-01-01T00:00:00+00:00",
            }
        )
        # Every fourth item starts a branch four levels deep.
        parent = cf_items[n - 1]["identifier"] if n % 4 else None
        associations.append(
            {
                "identifier": str(uuid.uuid4()),
                "uri": base + "assoc/" + str(n),
                "associationType": "isChildOf",
                "originNodeURI": {
                    "title": "",
                    "identifier": identifier,
                    "uri": base + identifier,
                },
                "destinationNodeURI": {
                    "title": "",
                    "identifier": parent or document_id,
                    "uri": base + (parent or document_id),
                },
                "sequenceNumber": n,
                "lastChangeDateTime": "2026-01-01T00:00:00+00:00",
            }
        )
    for n in range(0, items - 1, 5):
        associations.append(
            {
                "identifier": str(uuid.uuid4()),
                "uri": base + "related/" + str(n),
                "associationType": "isRelatedTo",
                "originNodeURI": {
                    "title": "",
                    "identifier": cf_items[n]["identifier"],
                    "uri": "",
                },
                "destinationNodeURI": {
                    "title": "",
                    "identifier": cf_items[n + 1]["identifier"],
                    "uri": "",
                },
                "lastChangeDateTime": "2026-01-01T00:00:00+00:00",
            }
        )
    package = {
        "CFDocument": document,
        "CFItems": cf_items,
        "CFAssociations": associations,
    }
    return json.dumps(package, ensure_ascii=False).encode()


def timed(work) -> tuple[float, object]:
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def main() -> None:
    raw = build_package()
    print(
        f"  package: {ITEMS} items, {len(raw) / 1e6:.1f} MB, "
        f"database: {connection.vendor}",
        flush=True,
    )
    parse_times = [timed(lambda: case.parse_package(raw))[0] for _ in range(RUNS)]
    parse = statistics.median(parse_times)

    def import_once(*, trace: bool) -> tuple[float, float, int]:
        """Seconds to import and to export, and peak traced bytes (when traced);
        rolled back, so the database is left as it was."""
        with transaction.atomic():
            organization = Organization.objects.create(
                slug=f"bench-{uuid.uuid4().hex[:8]}", name="Bench CASE import"
            )
            if trace:
                tracemalloc.start()
            seconds, result = timed(
                lambda: framework_services.import_case_package(
                    organization, by=None, raw=raw
                )
            )
            peak = tracemalloc.get_traced_memory()[1] if trace else 0
            if trace:
                tracemalloc.stop()
            export = timed(lambda: selectors.case_package(result.framework))[0]
            transaction.set_rollback(True)
        return seconds, export, peak

    runs = [import_once(trace=False) for _ in range(RUNS)]
    import_times = [r[0] for r in runs]
    export_times = [r[1] for r in runs]
    # tracemalloc slows Python down several times: peak memory has its own run.
    peaks = [import_once(trace=True)[2]]
    imported = statistics.median(import_times)
    exported = statistics.median(export_times)

    def line(name: str, seconds: float) -> None:
        print(f"  {name:<34} {seconds * 1000:9.1f} ms {ITEMS / seconds:10.0f} items/s")

    line("read and check (no database)", parse)
    line("import (one transaction)", imported)
    line("export as CASE 1.1", exported)
    print(f"  {'peak Python memory of an import':<34} {max(peaks) / 1e6:9.1f} MB")
    print(f"  import / read ratio                {imported / parse:9.1f}x")


if __name__ == "__main__":
    main()
