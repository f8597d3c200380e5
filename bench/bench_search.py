"""Competency search benchmark: figures and ratios, never pass or fail.

    make bench  (or: python -m bench search)

Searches a framework of 30,000 competencies (the size of ESCO's skills pillar,
twice over) the way the alignment picker does, with the PostgreSQL indexes of
curriculum migration 0004 and, in the same run, without them (dropped inside a
transaction that is rolled back). Everything runs in one transaction that is
rolled back, so the database is left as it was. On SQLite (no indexes, word
matching) only the first figure is printed.
"""

import os
import random
import statistics
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")
django.setup()

from django.db import connection, transaction  # noqa: E402

from accounts.models import Organization  # noqa: E402
from curriculum import selectors  # noqa: E402
from curriculum.models import Competency, CompetencyFramework  # noqa: E402

COMPETENCIES = int(os.environ.get("BENCH_COMPETENCIES", "30000"))
QUERIES = ("welding inspection", "spreadsheet", "customer complaints", "S123", "nurse")
WORDS = [
    "analyse",
    "data",
    "spreadsheet",
    "manage",
    "team",
    "budget",
    "plan",
    "project",
    "write",
    "report",
    "customer",
    "complaints",
    "service",
    "safety",
    "welding",
    "inspection",
    "electrical",
    "install",
    "repair",
    "software",
    "test",
    "develop",
    "design",
    "teach",
    "assess",
    "patient",
    "nurse",
    "care",
    "logistics",
    "schedule",
    "audit",
]


def _build(organization: Organization) -> None:
    framework = CompetencyFramework.objects.create(
        organization=organization,
        name="Bench skills",
        status=CompetencyFramework.Status.PUBLISHED,
    )
    rng = random.Random(7)
    Competency.objects.bulk_create(
        [
            Competency(
                framework=framework,
                code=f"S{n}",
                statement=" ".join(rng.choice(WORDS) for _ in range(9)),
                position=n,
            )
            for n in range(COMPETENCIES)
        ],
        batch_size=5000,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE curriculum_competency")


def _median_ms(organizations) -> float:
    samples = []
    for _ in range(3):
        for query in QUERIES:
            start = time.perf_counter()
            selectors.search_competencies(query, organizations=organizations)
            samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def main() -> None:
    print(f"Searching {COMPETENCIES:,} competencies ({connection.vendor})")
    with transaction.atomic():
        organization = Organization.objects.create(name="Bench", slug="bench-search")
        _build(organization)
        organizations = Organization.objects.filter(pk=organization.pk)
        indexed = _median_ms(organizations)
        print(f"  with the indexes                {indexed:9.1f} ms a search")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("DROP INDEX competency_search_vector")
                cursor.execute("DROP INDEX competency_code_prefix")
            scanned = _median_ms(organizations)
            print(f"  without them (full scan)        {scanned:9.1f} ms a search")
            print(f"  ratio: {scanned / indexed:,.1f}x faster with the indexes")
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
