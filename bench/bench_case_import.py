"""CASE import benchmark: figures and ratios, never pass or fail.

    make bench  (or: python -m bench case_import)

Builds a CASE 1.1 package of 2,000 items in a tree four levels deep (with 2,000
isChildOf and 400 other associations), then measures reading it (JSON and
checks, no database), reading the same package as a pre-1.0 draft (identifiers
that are codes, each given a UUID and reported), importing it (one transaction,
bulk inserts), exporting it back, and replacing it by a newer version (one
statement in ten reworded, 50 items gone): the preview and the update. Items
per second, and the peak Python memory of an import from tracemalloc. The
ratio of import to reading shows what the database costs. Each
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


def build_package(items: int = ITEMS, *, draft: bool = False) -> bytes:
    """A package shaped like a state standards framework: grades, domains,
    clusters, standards; statements with Markdown and characters beyond the BMP.
    A draft names its nodes by codes, as pre-1.0 packages did."""
    document_id = "urn:bench:draft" if draft else str(uuid.uuid4())
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
        identifier = f"B.{n}" if draft else str(uuid.uuid4())
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
                "identifier": f"link-{n}" if draft else str(uuid.uuid4()),
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
                "identifier": f"related-{n}" if draft else str(uuid.uuid4()),
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


def newer_version(raw: bytes) -> bytes:
    """The next version: one statement in ten reworded, the last 50 leaves gone."""
    package = json.loads(raw)
    for n, item in enumerate(package["CFItems"]):
        if n % 10 == 0:
            item["fullStatement"] += " (revised)"
    leaves = {i["identifier"] for n, i in enumerate(package["CFItems"]) if n % 4 == 3}
    gone = set(sorted(leaves)[:50])
    package["CFItems"] = [i for i in package["CFItems"] if i["identifier"] not in gone]
    package["CFAssociations"] = [
        a
        for a in package["CFAssociations"]
        if a["originNodeURI"]["identifier"] not in gone
        and a["destinationNodeURI"]["identifier"] not in gone
    ]
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
    draft = build_package(draft=True)
    draft_parse = statistics.median(
        [timed(lambda: case.parse_package(draft))[0] for _ in range(RUNS)]
    )
    newer = newer_version(raw)

    def import_once(*, trace: bool) -> tuple[float, float, int, float, float]:
        """Seconds to import and to export, peak traced bytes (when traced), and
        seconds to preview and apply the newer version; rolled back, so the
        database is left as it was."""
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
            preview, plan = timed(
                lambda: framework_services.plan_case_update(result.framework, newer)
            )
            update = timed(
                lambda: framework_services.apply_case_update(
                    result.framework, by=None, raw=newer, digest=plan.update.digest()
                )
            )[0]
            transaction.set_rollback(True)
        return seconds, export, peak, preview, update

    runs = [import_once(trace=False) for _ in range(RUNS)]
    import_times = [r[0] for r in runs]
    export_times = [r[1] for r in runs]
    # tracemalloc slows Python down several times: peak memory has its own run.
    peaks = [import_once(trace=True)[2]]
    imported = statistics.median(import_times)
    exported = statistics.median(export_times)
    previewed = statistics.median([r[3] for r in runs])
    updated = statistics.median([r[4] for r in runs])

    def line(name: str, seconds: float) -> None:
        print(f"  {name:<34} {seconds * 1000:9.1f} ms {ITEMS / seconds:10.0f} items/s")

    line("read and check (no database)", parse)
    line("read a pre-1.0 draft (no database)", draft_parse)
    line("import (one transaction)", imported)
    line("export as CASE 1.1", exported)
    line("preview a newer version", previewed)
    line("apply it (one transaction)", updated)
    print(f"  {'peak Python memory of an import':<34} {max(peaks) / 1e6:9.1f} MB")
    print(f"  import / read ratio                {imported / parse:9.1f}x")
    print(f"  draft read / read ratio            {draft_parse / parse:9.1f}x")


if __name__ == "__main__":
    main()
