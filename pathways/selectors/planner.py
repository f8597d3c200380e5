"""Across a learner's overlapping pathways: which module counts where, and
which next module advances the most goals."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser

from curriculum.models import ModuleVersion
from pathways import rules
from pathways.selectors import OrganizationCatalogue, catalogues
from pathways.selectors.facts import completion_facts
from pathways.selectors.progress import PathwayProgress, learner_progress


@dataclass(frozen=True)
class PlanOption:
    """One module the learner could take next, and what it would advance."""

    code: str
    title: str
    credits: float
    version: ModuleVersion | None
    advances: tuple[tuple[str, int, int], ...]  # (pathway title, % before, % after)
    completes: tuple[str, ...]  # pathway titles it would complete

    @property
    def gain(self) -> int:
        return sum(after - before for _, before, after in self.advances)


@dataclass(frozen=True)
class Plan:
    progress: list[PathwayProgress]
    options: tuple[PlanOption, ...]
    shared: tuple[tuple[str, str, tuple[str, ...]], ...]  # code, title, pathways


def learner_plan(learner: AbstractBaseUser, *, on: datetime) -> Plan:
    """Across overlapping pathways: which module counts where, and which next
    module advances the most goals."""
    progress = learner_progress(learner, on=on)
    if not progress:
        return Plan([], (), ())
    facts = completion_facts(learner, on=on)
    cats = catalogues({p.version.organization for p in progress})
    compiled_rules = []
    for item in progress:
        found = cats[item.version.organization.pk]
        compiled_rules.append(
            (item, found, rules.compile_rule(item.version.rule, found.catalogue))
        )
    counts_toward: dict[tuple[int, str], list[str]] = defaultdict(list)
    candidates: dict[tuple[int, str], OrganizationCatalogue] = {}
    for item, found, _ in compiled_rules:
        organization_id = item.version.organization.pk
        for code in dict.fromkeys(rules.module_codes(item.version.rule)):
            counts_toward[(organization_id, code)].append(item.version.title)
        # Work already submitted and waiting for a grade is not recommended.
        waiting = {s.code for s in item.waiting}
        for step in item.evaluation.next_steps:
            if step.kind == "module" and not step.locked and step.code not in waiting:
                candidates[(organization_id, step.code)] = found
    options = []
    for (organization_id, code), found in candidates.items():
        fake = rules.CompletionFact(
            0,
            code,
            on,
            issuer=found.catalogue.home,
            credits=found.catalogue.credits(code),
        )
        advances, completes = [], []
        for item, _found, compiled_rule in compiled_rules:
            if item.version.organization.pk != organization_id:
                continue
            after = compiled_rule.evaluate([*facts, fake], on, explain=False)
            before_percent, after_percent = item.percent, round(after.progress * 100)
            if after_percent > before_percent or (
                after.satisfied and not item.evaluation.satisfied
            ):
                advances.append((item.version.title, before_percent, after_percent))
            if after.satisfied and not item.evaluation.satisfied:
                completes.append(item.version.title)
        if advances:
            options.append(
                PlanOption(
                    code,
                    found.catalogue.title(code),
                    found.catalogue.credits(code),
                    found.modules.get(code),
                    tuple(advances),
                    tuple(completes),
                )
            )
    options.sort(
        key=lambda o: (-len(o.completes), -len(o.advances), -o.gain, o.credits, o.code)
    )
    shared = tuple(
        (code, cats[org].catalogue.title(code), tuple(titles))
        for (org, code), titles in sorted(counts_toward.items(), key=lambda i: i[0][1])
        if len(titles) > 1
    )
    return Plan(progress, tuple(options), shared)
