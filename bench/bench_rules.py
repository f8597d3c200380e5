"""Stacking-rule benchmarks: figures and ratios, never pass or fail.

    make bench  (or: python -m bench rules)

100,000 learners (BENCH_LEARNERS) with realistic completions are evaluated
against a pathway nested three levels deep (a pathway that stacks a pathway that
stacks a pathway, with n-of-m groups, credits from children and from a tag,
recency and an equivalence for another college's module). The pure engine runs
twice: the verdict and progress alone (what a bulk re-evaluation needs for
everyone), then the full explanation with trace and ranked next steps (what a
learner's page needs). The floor is a bare set check of the same completions.
Peak memory is the process's peak resident size.

Then the exact search for completions that several groups could use
(pathways/rulesearch.py): eleven electives each named in two groups, for
learners who can meet the rule (the search stops at its first sharing) and for
learners one or two short (it must prove that no sharing does better), beside a
brute force over every sharing, and the same learners under a rule where no
completion is contested.

Then the database path on a smaller cohort (BENCH_DB_LEARNERS, default 2,000):
completions loaded for batches of learners in set-based queries, as the bulk
re-evaluation task does, inside a transaction that is rolled back afterwards.
"""

import multiprocessing
import os
import random
import resource
import time
from datetime import UTC, datetime, timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")
django.setup()

from pathways import rules  # noqa: E402

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def m(code: str, **extra) -> dict:
    return {"type": "module", "code": code, **extra}


# Level 3: statistics; level 2: analysis stacks statistics; level 1: the
# professional certificate stacks analysis and basics.
STATS = {"type": "all", "children": [m("ST-1"), m("ST-2"), m("ST-3", versions=[1])]}
BASICS = {
    "type": "all",
    "children": [
        m("SH-101"),
        m("SH-102"),
        {"type": "any", "n": 1, "children": [m("SH-103"), m("SH-104")]},
    ],
}
ANALYSIS = {
    "type": "all",
    "children": [
        {"type": "pathway", "code": "STATS"},
        m("AN-201"),
        {"type": "any", "n": 2, "children": [m("AN-202"), m("AN-203"), m("AN-204")]},
        {"type": "credits", "min": 10, "tag": "elective"},
    ],
}
PROFESSIONAL = {
    "type": "all",
    "children": [
        {"type": "pathway", "code": "BASICS"},
        {"type": "pathway", "code": "ANALYSIS"},
        {
            "type": "any",
            "n": 1,
            "within_years": 5,
            "children": [m("PR-301"), m("PR-302")],
        },
        {
            "type": "credits",
            "min": 15,
            "children": [m("CP-401"), m("CP-402"), m("CP-403"), m("AN-204")],
        },
    ],
}
CREDITS = {"CP-401": 5, "CP-402": 10, "CP-403": 5, "EL-1": 5, "EL-2": 5, "EL-3": 2.5}
CODES = sorted(
    set(rules.module_codes(PROFESSIONAL))
    | set(rules.module_codes(ANALYSIS))
    | set(rules.module_codes(BASICS))
    | set(rules.module_codes(STATS))
    | {"EL-1", "EL-2", "EL-3", "OTHER-1", "OTHER-2", "OTHER-3"}
)
CATALOGUE = rules.Catalogue(
    home="northfield",
    modules={
        code: rules.ModuleInfo(
            code,
            f"Module {code}",
            CREDITS.get(code, 5),
            tags=("elective",) if code.startswith("EL-") else (),
            prerequisite=m("SH-101") if code == "AN-201" else None,
        )
        for code in CODES
    },
    equivalences=(rules.Equivalence(1, "open-u", "OU-SHEETS", "SH-102", "Ada"),),
    pathways={"BASICS": BASICS, "ANALYSIS": ANALYSIS, "STATS": STATS},
)


def learner_facts(rng: random.Random, learner: int) -> list[rules.CompletionFact]:
    """A learner somewhere along the way: most are partway, a few are done,
    some took modules outside the pathway or another college's equivalent."""
    reach = rng.random()
    taken = [c for c in CODES if rng.random() < reach * 0.9]
    facts = []
    for n, code in enumerate(taken):
        issuer = "northfield"
        if code == "SH-102" and rng.random() < 0.1:
            issuer, code = "open-u", "OU-SHEETS"
        facts.append(
            rules.CompletionFact(
                id=learner * 64 + n,
                module_code=code,
                completed_at=NOW - timedelta(days=rng.randint(1, 8 * 365)),
                issuer=issuer,
                version=1,
                result=float(rng.randint(3, 8)),
                credits=float(CREDITS.get(code, 5)),
            )
        )
    return facts


def cohort(count: int, start: int = 0):
    # One generator per learner, so that any slice of the cohort is the same
    # learners whichever process makes it.
    for learner in range(start, start + count):
        yield learner_facts(random.Random(learner), learner)


def _full_share(args: tuple[int, int]) -> int:
    start, count = args
    compiled = rules.compile_rule(PROFESSIONAL, CATALOGUE)
    return sum(
        compiled.evaluate(facts, NOW).satisfied for facts in cohort(count, start)
    )


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


CHUNK = 10_000  # learners generated and held in memory at a time


def engine(count: int) -> None:
    print(f"Pure engine: {count:,} learners, a pathway nested 3 levels deep")
    compiled = rules.compile_rule(PROFESSIONAL, CATALOGUE)
    needed = set(rules.module_codes(PROFESSIONAL))
    timings = dict.fromkeys(("generate", "floor", "verdict", "full"), 0.0)
    satisfied = dict.fromkeys(("floor", "verdict", "full"), 0)
    work = {
        "floor": lambda facts: needed <= {f.module_code for f in facts},
        "verdict": lambda facts: compiled.evaluate(facts, NOW, explain=False).satisfied,
        "full": lambda facts: compiled.evaluate(facts, NOW).satisfied,
    }
    completions = 0
    for start in range(0, count, CHUNK):
        began = time.perf_counter()
        chunk = list(cohort(min(CHUNK, count - start), start))
        timings["generate"] += time.perf_counter() - began
        completions += sum(len(facts) for facts in chunk)
        for name, evaluate in work.items():
            began = time.perf_counter()
            satisfied[name] += sum(evaluate(facts) for facts in chunk)
            timings[name] += time.perf_counter() - began
    print(
        f"  {completions:,} completions ({completions / count:.1f} a learner), "
        f"generated in {timings['generate']:.2f} s (not counted below)"
    )
    labels = {
        "floor": "bare set check (floor)",
        "verdict": "verdict and progress (bulk re-evaluation)",
        "full": "full explanation: trace and next steps",
    }
    for name, label in labels.items():
        elapsed = timings[name]
        print(
            f"  {label:<44} {elapsed:7.2f} s {count / elapsed:10,.0f} learners/s"
            f"  ({satisfied[name]:,} satisfied)"
        )
    floor = max(timings["floor"], 1e-9)
    print(
        f"  ratio to floor: verdict {timings['verdict'] / floor:,.0f}x, "
        f"full {timings['full'] / floor:,.0f}x"
    )
    print(f"  peak memory (resident): {peak_mb():,.0f} MB")
    workers = min(2, os.cpu_count() or 1)
    if workers > 1:
        shares = [
            (n * count // workers, (n + 1) * count // workers - n * count // workers)
            for n in range(workers)
        ]
        start = time.perf_counter()
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            done = sum(pool.map(_full_share, shares))
        elapsed = time.perf_counter() - start
        label = f"full explanation, {workers} processes (with generation)"
        print(
            f"  {label:<44} {elapsed:7.2f} s {count / elapsed:10,.0f} learners/s"
            f"  ({done:,} satisfied)"
        )


def database(count: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from accounts.models import Organization
    from assessments.models import ModuleCompletion
    from curriculum.models import Module, ModuleVersion
    from pathways import selectors
    from pathways.models import StackingProfile
    from pathways.selectors.facts import cohort_facts

    print(f"Database path: {count:,} learners, set-based loading in batches of 500")

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            organization = Organization.objects.create(
                name="Bench College", slug=f"bench-{os.getpid()}"
            )
            user_model = get_user_model()
            author = user_model.objects.create(username=f"bench-author-{os.getpid()}")
            versions = {}
            for code in CODES:
                module = Module.objects.create(organization=organization, code=code)
                if code.startswith("EL-"):
                    StackingProfile.objects.create(module=module, tags=["elective"])
                versions[code] = ModuleVersion.objects.create(
                    module=module,
                    title=f"Module {code}",
                    created_by=author,
                    status="published",
                    credits=CREDITS.get(code, 5),
                )
            learners = user_model.objects.bulk_create(
                user_model(username=f"bench-{os.getpid()}-{n}") for n in range(count)
            )
            rows = []
            for learner, facts in zip(learners, cohort(count), strict=True):
                for fact in facts:
                    if fact.module_code in versions:
                        rows.append(
                            ModuleCompletion(
                                learner=learner,
                                version=versions[fact.module_code],
                                source="graded",
                                completed_at=fact.completed_at,
                            )
                        )
            ModuleCompletion.objects.bulk_create(rows, batch_size=5000)
            print(f"  {len(rows):,} completions stored ({connection.vendor})")
            found = selectors.catalogue_for(organization)
            catalogue = rules.Catalogue(
                home=organization.slug,
                modules=found.catalogue.modules,
                pathways=CATALOGUE.pathways,
            )
            compiled = rules.compile_rule(PROFESSIONAL, catalogue)
            ids = [learner.pk for learner in learners]
            start = time.perf_counter()
            load = 0.0
            satisfied = 0
            for at in range(0, len(ids), 500):
                loading = time.perf_counter()
                facts = cohort_facts(ids[at : at + 500], on=NOW)
                load += time.perf_counter() - loading
                for learner_id in ids[at : at + 500]:
                    satisfied += compiled.evaluate(
                        facts.get(learner_id, []), NOW, explain=False
                    ).satisfied
            elapsed = time.perf_counter() - start
            print(
                f"  {'load and evaluate':<44} {elapsed:7.2f} s "
                f"{count / elapsed:10,.0f} learners/s  ({satisfied:,} satisfied)"
            )
            print(f"  of which loading: {load:.2f} s ({load / elapsed:.0%})")
            raise Rollback
    except Rollback:
        pass


ELECTIVES = [f"E{i:02}" for i in range(1, 12)]
OVERLAPPING = {
    "type": "all",
    "children": [
        {"type": "any", "n": 6, "children": [m(c) for c in ELECTIVES]},
        {"type": "any", "n": 5, "children": [m(c) for c in ELECTIVES]},
    ],
}
DISJOINT = {
    "type": "all",
    "children": [
        {"type": "any", "n": 6, "children": [m(c) for c in ELECTIVES[:6]]},
        {"type": "any", "n": 5, "children": [m(c) for c in ELECTIVES[6:]]},
    ],
}


def _brute_force(compiled, facts) -> tuple:
    """Every sharing of the contested completions: what the search replaces."""
    import itertools

    index = rules._index(facts, NOW, compiled.catalogue.home)
    candidates = [
        compiled._candidates(leaf, index, NOW, None) for leaf in compiled.leaves
    ]
    holders: dict = {}
    for leaf, found in enumerate(candidates):
        for pair in found:
            holders.setdefault(pair[0].id, []).append(leaf)
    keys = sorted(holders)
    best = None
    for choice in itertools.product(*(holders[k] for k in keys)):
        chosen = [[] for _ in candidates]
        for k, leaf in zip(keys, choice, strict=True):
            chosen[leaf] += [p for p in candidates[leaf] if p[0].id == k]
        values = [
            compiled._leaf_value(leaf, chosen[leaf.index], None)
            for leaf in compiled.leaves
        ]
        score = rules._score(compiled.root, values)
        best = score if best is None or score > best else best
    return best


def search(rounds: int) -> None:
    print(f"Exact search: eleven electives each named in two groups, {rounds} runs")
    overlapping = rules.compile_rule(OVERLAPPING)
    disjoint = rules.compile_rule(DISJOINT)
    for taken in (11, 10, 9):
        facts = [
            rules.CompletionFact(n, code, NOW - timedelta(days=30))
            for n, code in enumerate(ELECTIVES[:taken], 1)
        ]
        timings = {}
        for name, work in (
            (
                "no completion contested",
                lambda facts=facts: disjoint.evaluate(facts, NOW),
            ),
            ("exact search", lambda facts=facts: overlapping.evaluate(facts, NOW)),
            ("brute force", lambda facts=facts: _brute_force(overlapping, facts)),
        ):
            runs = rounds if name != "brute force" else max(1, rounds // 50)
            began = time.perf_counter()
            for _ in range(runs):
                verdict = work()
            timings[name] = (time.perf_counter() - began) / runs
            if name == "exact search":
                met = verdict.satisfied
        print(f"  {taken} of 11 electives done ({'met' if met else 'not met'}):")
        for name, elapsed in timings.items():
            print(
                f"    {name:<28} {elapsed * 1000:9.3f} ms a learner "
                f"({elapsed / timings['no completion contested']:,.1f}x)"
            )


def search_growth() -> None:
    """How the exact search grows with the number of contested completions:
    k electives each in three groups (two n-of-k, one credits), one short."""
    print("Exact search as contested completions grow (one elective short):")
    for k in (11, 16, 20, 30):
        codes = [f"X{i:02}" for i in range(k)]
        rule = {
            "type": "all",
            "children": [
                {"type": "any", "n": k // 2 + 1, "children": [m(c) for c in codes]},
                {"type": "any", "n": k - k // 2 - 1, "children": [m(c) for c in codes]},
                {"type": "credits", "min": 1, "children": [m(c) for c in codes[:3]]},
            ],
        }
        catalogue = rules.Catalogue(
            modules={c: rules.ModuleInfo(c, c, 1) for c in codes}
        )
        compiled = rules.compile_rule(rule, catalogue)
        facts = [
            rules.CompletionFact(n, code, NOW - timedelta(days=30))
            for n, code in enumerate(codes[:-1], 1)
        ]
        began = time.perf_counter()
        verdict = compiled.evaluate(facts, NOW)
        elapsed = time.perf_counter() - began
        print(
            f"  {k - 1:>2} contested completions: {elapsed * 1000:8.1f} ms "
            f"({verdict.progress:.0%} of the way)"
        )


def main() -> None:
    search_growth()
    search(int(os.environ.get("BENCH_SEARCH_ROUNDS", "200")))
    engine(int(os.environ.get("BENCH_LEARNERS", "100000")))
    database(int(os.environ.get("BENCH_DB_LEARNERS", "2000")))


if __name__ == "__main__":
    main()
