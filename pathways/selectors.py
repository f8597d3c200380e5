"""Reads shaped for pages and for evaluation, in a fixed number of queries."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Organization
from assessments.models import ModuleCompletion, Submission
from curriculum.models import ModuleVersion
from pathways import maps, rules
from pathways.models import (
    Enrolment,
    Equivalence,
    Pathway,
    PathwayCompletion,
    PathwayVersion,
    PrerequisiteOverride,
    Reevaluation,
)


@dataclass(frozen=True)
class ModuleStep:
    code: str
    title: str
    version: ModuleVersion | None  # the latest published version, where one exists
    done: bool
    # When the learner's submission for it went in, while it waits for a grade.
    waiting_since: datetime | None = None


@dataclass(frozen=True)
class WhatIf:
    """What happens to a pathway if one of its completed modules is dropped."""

    code: str
    title: str
    percent: int
    satisfied: bool


@dataclass(frozen=True)
class PathwayProgress:
    enrolment: Enrolment
    evaluation: rules.Evaluation
    steps: tuple[ModuleStep, ...]
    map: maps.PathwayMap | None = None
    what_if: tuple[WhatIf, ...] = ()
    modules: dict | None = None

    @property
    def version(self) -> PathwayVersion:
        return self.enrolment.version

    @property
    def completion(self) -> PathwayCompletion | None:
        return self.enrolment.completion

    @property
    def percent(self) -> int:
        return percent_done(self.evaluation)

    @property
    def next_step(self) -> ModuleStep | None:
        """What the learner can start now: work already submitted and waiting
        for a grade is not a next step."""
        by_code = {s.code: s for s in self.steps}
        for step in self.evaluation.next_steps:
            found = by_code.get(step.code)
            if found and found.version and not found.waiting_since and not step.locked:
                return found
        return next(
            (s for s in self.steps if not s.done and not s.waiting_since and s.version),
            None,
        )

    @property
    def waiting(self) -> list[ModuleStep]:
        return [s for s in self.steps if s.waiting_since and not s.done]

    @property
    def next_steps(self) -> list[dict]:
        """The ranked next steps with links, for the page."""
        modules = self.modules or {}
        waiting = {s.code: s.waiting_since for s in self.waiting}
        titles = {s.code: s.title for s in self.steps}
        return [
            {
                "step": step,
                "version": modules.get(step.code),
                "waiting_since": waiting.get(step.code),
                # Titles, not codes: the page names modules as people know them.
                "alternatives": [titles.get(c, c) for c in step.alternatives],
                "unlocks": titles.get(step.unlocks, step.unlocks),
            }
            for step in self.evaluation.next_steps
        ]

    @property
    def to_choose_from(self) -> int:
        """How many listed modules exceed what the rule needs: with a choice in
        the rule, "1 of 2 done" sits beside a list of three."""
        return max(len(self.steps) - self.evaluation.required, 0)


def percent_done(evaluation: rules.Evaluation) -> int:
    """A pathway's progress as a whole percentage, as the learner's page shows it."""
    return round(evaluation.progress * 100)


# ----------------------------------------------------------------- catalogues


def latest_published_modules(
    pairs: set[tuple[int, str]],
) -> dict[tuple[int, str], ModuleVersion]:
    """The newest published version for each (organization id, module code)."""
    if not pairs:
        return {}
    organization_ids = {o for o, _ in pairs}
    codes = {c for _, c in pairs}
    versions = (
        ModuleVersion.objects.published()
        .filter(module__organization_id__in=organization_ids, module__code__in=codes)
        .select_related("module")
        .order_by("module_id", "number")
    )
    return {(v.module.organization_id, v.module.code): v for v in versions}


@dataclass(frozen=True)
class OrganizationCatalogue:
    catalogue: rules.Catalogue
    modules: dict[str, ModuleVersion]  # code -> latest published version


def catalogues(
    organizations: Iterable[Organization], *, nested: bool = True
) -> dict[int, OrganizationCatalogue]:
    """What the engine needs to know of each organization, in three queries
    (two when no rule nests a pathway: nested=False)."""
    organizations = {o.pk: o for o in organizations}
    if not organizations:
        return {}
    versions = (
        ModuleVersion.objects.published()
        .filter(module__organization_id__in=organizations)
        .select_related("module__stacking")
        .prefetch_related("prerequisites")
        .order_by("module_id", "number")
    )
    modules: dict[int, dict[str, ModuleVersion]] = defaultdict(dict)
    numbers: dict[int, list[int]] = defaultdict(list)  # module id -> published
    for version in versions:
        modules[version.module.organization_id][version.module.code] = version
        numbers[version.module_id].append(version.number)
    equivalences: dict[int, list[rules.Equivalence]] = defaultdict(list)
    for eq in (
        Equivalence.objects.approved()
        .filter(organization_id__in=organizations)
        .select_related("module", "approved_by")
    ):
        equivalences[eq.organization_id].append(_equivalence_fact(eq))
    pathways: dict[int, dict[str, PathwayVersion]] = defaultdict(dict)
    published = (
        PathwayVersion.objects.published()
        .filter(pathway__organization_id__in=organizations)
        .select_related("pathway")
        .order_by("pathway_id", "number")
    )
    for version in published if nested else ():
        pathways[version.pathway.organization_id][version.pathway.code] = version
    result = {}
    for pk, organization in organizations.items():
        infos = {
            code: _module_info(version, tuple(numbers[version.module_id]))
            for code, version in modules[pk].items()
        }
        result[pk] = OrganizationCatalogue(
            rules.Catalogue(
                home=organization.slug,
                modules=infos,
                equivalences=tuple(equivalences[pk]),
                pathways={c: v.rule for c, v in pathways[pk].items()},
                pathway_titles={c: v.title for c, v in pathways[pk].items()},
                time_zone=organization_timezone(organization),
            ),
            dict(modules[pk]),
        )
    return result


def organization_timezone(organization: Organization) -> tzinfo:
    """Where the organization is, for calendar dates such as recency: its own
    time zone, or the site's (settings.TIME_ZONE) when it has none set."""
    name = getattr(organization, "time_zone", "") or settings.TIME_ZONE
    return ZoneInfo(name)


def catalogue_for(organization: Organization) -> OrganizationCatalogue:
    return catalogues([organization])[organization.pk]


def _module_info(
    version: ModuleVersion, numbers: tuple[int, ...] = ()
) -> rules.ModuleInfo:
    stacking = getattr(version.module, "stacking", None)
    return rules.ModuleInfo(
        code=version.module.code,
        title=version.title,
        credits=rules.credits_of(version.credits),
        tags=tuple(stacking.tags) if stacking else (),
        # What locks the module on the map is what holds where work starts
        # (pathways/prerequisites.py): the stacking rule and the listed modules.
        prerequisite=rules.effective_prerequisite(
            stacking.prerequisite if stacking else None,
            (m.code for m in version.prerequisites.all()),
        ),
        versions=numbers,
    )


def _equivalence_fact(eq: Equivalence) -> rules.Equivalence:
    approver = eq.approved_by
    return rules.Equivalence(
        id=eq.pk,
        issuer=eq.issuer,
        achievement=eq.achievement,
        counts_as=eq.module.code if eq.module_id else "",
        approved_by=approver.get_full_name() or approver.get_username(),
        approved_on=eq.approved_at.date(),
    )


# ---------------------------------------------------------------------- facts


def _module_facts(rows) -> list[tuple[int, rules.CompletionFact]]:
    facts = []
    for pk, learner_id, code, issuer, at, number, total, credits, source in rows:
        facts.append(
            (
                learner_id,
                rules.CompletionFact(
                    id=pk,
                    module_code=code,
                    completed_at=at,
                    issuer=issuer,
                    version=number,
                    result=float(total) if total is not None else None,
                    credits=rules.credits_of(credits),
                    source=source,
                ),
            )
        )
    return facts


MODULE_FACT_FIELDS = (
    "pk",
    "learner_id",
    "version__module__code",
    "version__module__organization__slug",
    "completed_at",
    "version__number",
    "grade__total",
    "version__credits",
    "source",
)
PATHWAY_FACT_FIELDS = (
    "pk",
    "learner_id",
    "version__pathway__code",
    "version__pathway__organization__slug",
    "completed_at",
    "expires_at",
)


def _module_facts_of(
    learner_ids: Iterable[int],
) -> defaultdict[int, list[rules.CompletionFact]]:
    """The learners' live module completions as facts, by learner, in one query."""
    facts: defaultdict[int, list[rules.CompletionFact]] = defaultdict(list)
    rows = (
        ModuleCompletion.objects.live()
        .filter(learner_id__in=learner_ids)
        .values_list(*MODULE_FACT_FIELDS)
    )
    for learner_id, fact in _module_facts(rows):
        facts[learner_id].append(fact)
    return facts


def cohort_facts(
    learner_ids: Iterable[int], *, on: datetime
) -> dict[int, list[rules.CompletionFact]]:
    """Every live completion of these learners, in two set-based queries."""
    learner_ids = list(learner_ids)
    facts = _module_facts_of(learner_ids)
    for pk, learner_id, code, issuer, at, expires_at in (
        PathwayCompletion.objects.live()
        .filter(learner_id__in=learner_ids)
        .values_list(*PATHWAY_FACT_FIELDS)
    ):
        if expires_at is None or expires_at > on:
            facts[learner_id].append(
                rules.CompletionFact(pk, code, at, issuer=issuer, kind="pathway")
            )
    return facts


def completion_facts(learner: AbstractBaseUser, *, on: datetime | None = None):
    """The learner's live completions as facts for the engine."""
    return cohort_facts([learner.pk], on=on or timezone.now()).get(learner.pk, [])


# ---------------------------------------------------------------- evaluating


@dataclass(frozen=True)
class EvaluationState:
    """What evaluating some learners' pathways reads: their enrolments (each
    with its live completion as `completion`), their live pathway completions
    and their completions as facts, by learner."""

    enrolments: list[Enrolment]
    live: dict[int, list[PathwayCompletion]]
    facts: dict[int, list[rules.CompletionFact]]

    def organizations(self) -> set[Organization]:
        return {e.version.organization for e in self.enrolments} | {
            c.version.organization for cs in self.live.values() for c in cs
        }

    def nests(self) -> bool:
        """Whether a rule read nests a pathway (the catalogue then reads the
        published pathways)."""
        versions = [e.version for e in self.enrolments] + [
            c.version for cs in self.live.values() for c in cs
        ]
        return any(rules.pathway_codes(v.rule) for v in versions)


def _pathway_fact(completion: PathwayCompletion) -> rules.CompletionFact:
    return rules.CompletionFact(
        completion.pk,
        completion.version.pathway.code,
        completion.completed_at,
        issuer=completion.version.pathway.organization.slug,
        kind="pathway",
    )


def evaluation_state(learner_ids: Iterable[int], *, on: datetime) -> EvaluationState:
    """The learners' enrolments, live pathway completions and facts (module
    completions first, as for one learner), in three queries whatever their
    number."""
    learner_ids = list(learner_ids)
    enrolments = list(
        Enrolment.objects.filter(learner_id__in=learner_ids)
        .select_related("version__pathway__organization")
        .order_by("learner_id", "enrolled_at", "pk")
    )
    live: dict[int, list[PathwayCompletion]] = defaultdict(list)
    for completion in (
        PathwayCompletion.objects.live()
        .filter(learner_id__in=learner_ids)
        .select_related("version__pathway__organization")
        .order_by("pk")
    ):
        live[completion.learner_id].append(completion)
    # Module completions only of learners with something to evaluate or void.
    facts = _module_facts_of({e.learner_id for e in enrolments} | set(live))
    for learner_id, completions in live.items():
        facts[learner_id] += [
            _pathway_fact(c) for c in completions if not c.is_expired(on)
        ]
    by_version = {(c.learner_id, c.version_id): c for cs in live.values() for c in cs}
    for enrolment in enrolments:
        enrolment.completion = by_version.get(
            (enrolment.learner_id, enrolment.version_id)
        )
    return EvaluationState(enrolments, dict(live), dict(facts))


def _learner_state(
    learner: AbstractBaseUser, *, on: datetime
) -> tuple[list[Enrolment], list[rules.CompletionFact]]:
    """Enrolments (each with its live completion) and the learner's completions
    as facts, in three queries whatever their number."""
    enrolments = list(
        Enrolment.objects.filter(learner=learner)
        .select_related("version__pathway__organization")
        .order_by("enrolled_at", "pk")
    )
    if not enrolments:
        return [], []
    facts = _module_facts_of([learner.pk])[learner.pk]
    completions = {}
    for completion in (
        PathwayCompletion.objects.live()
        .filter(learner=learner)
        .select_related("version__pathway__organization")
    ):
        completions[completion.version_id] = completion
        if not completion.is_expired(on):
            facts.append(_pathway_fact(completion))
    for enrolment in enrolments:
        enrolment.completion = completions.get(enrolment.version_id)
    return enrolments, facts


def compiled(version: PathwayVersion, catalogue: rules.Catalogue) -> rules.CompiledRule:
    return rules.compile_rule(version.rule, catalogue)


def learner_progress(
    learner: AbstractBaseUser, *, on: datetime
) -> list[PathwayProgress]:
    """Each enrolled pathway with its map, next steps and what-ifs."""
    enrolments, facts = _learner_state(learner, on=on)
    if not enrolments:
        return []
    cats = catalogues(
        {e.version.organization for e in enrolments},
        nested=any(rules.pathway_codes(e.version.rule) for e in enrolments),
    )
    waiting = _waiting_for_a_grade(learner)
    # Waivers matter only where a module has a prerequisite: most have none.
    waived = (
        _waived(learner)
        if any(
            info.prerequisite
            for found in cats.values()
            for info in found.catalogue.modules.values()
        )
        else {}
    )
    progress = []
    for enrolment in enrolments:
        organization_id = enrolment.version.organization.pk
        found = _without_waived(cats[organization_id], waived.get(organization_id))
        rule = rules.compile_rule(enrolment.version.rule, found.catalogue)
        evaluation = rule.evaluate(facts, on)
        steps = tuple(
            ModuleStep(
                code=code,
                title=found.catalogue.title(code),
                version=found.modules.get(code),
                done=code in evaluation.met,
                waiting_since=waiting.get((organization_id, code)),
            )
            for code in dict.fromkeys(rules.module_codes(enrolment.version.rule))
        )
        progress.append(
            PathwayProgress(
                enrolment,
                evaluation,
                steps,
                map=maps.draw(
                    evaluation.tree,
                    found.catalogue,
                    evaluation.next_steps,
                    waiting=frozenset(
                        s.code for s in steps if s.waiting_since and not s.done
                    ),
                ),
                what_if=_what_if(rule, facts, evaluation, on, found.catalogue),
                modules=found.modules,
            )
        )
    return progress


def _waived(learner: AbstractBaseUser) -> dict[int, set[str]]:
    """Organization id -> codes of modules whose prerequisite staff waived for
    the learner, in one query."""
    waived: dict[int, set[str]] = defaultdict(set)
    for organization_id, code in PrerequisiteOverride.objects.filter(
        learner=learner
    ).values_list("module__organization_id", "module__code"):
        waived[organization_id].add(code)
    return waived


def _without_waived(
    found: OrganizationCatalogue, codes: set[str] | None
) -> OrganizationCatalogue:
    """The catalogue as one learner sees it: waived prerequisites lock nothing."""
    if not codes:
        return found
    catalogue = found.catalogue
    modules = {
        code: replace(info, prerequisite=None) if code in codes else info
        for code, info in catalogue.modules.items()
    }
    return OrganizationCatalogue(replace(catalogue, modules=modules), found.modules)


def _waiting_for_a_grade(learner: AbstractBaseUser) -> dict[tuple[int, str], datetime]:
    """(organization id, module code) -> when the learner's submission went in,
    for submissions waiting for a grade (submitted, second-marked or moderated),
    in one query."""
    rows = (
        Submission.objects.filter(learner=learner, status__in=Submission.PENDING)
        .values_list(
            "task__version__module__organization_id",
            "task__version__module__code",
            "submitted_at",
        )
        .order_by("submitted_at")
    )
    waiting: dict[tuple[int, str], datetime] = {}
    for organization_id, code, submitted_at in rows:
        waiting.setdefault((organization_id, code), submitted_at)
    return waiting


def _what_if(rule, facts, evaluation, on, catalogue) -> tuple[WhatIf, ...]:
    """For each completion the pathway rests on: the result without it."""
    changes = []
    for code, completion_id in sorted(evaluation.met.items()):
        without = rule.evaluate(
            [f for f in facts if f.id != completion_id], on, explain=False
        )
        changes.append(
            WhatIf(
                code,
                catalogue.title(code),
                round(without.progress * 100),
                without.satisfied,
            )
        )
    return tuple(changes)


def preview_for_learner(
    learner: AbstractBaseUser, version: PathwayVersion, *, on: datetime
) -> rules.Evaluation:
    """How the learner's existing completions count toward a pathway."""
    found = catalogue_for(version.organization)
    facts = completion_facts(learner, on=on)
    return rules.compile_rule(version.rule, found.catalogue).evaluate(facts, on)


def preview_with_modules(
    version: PathwayVersion, rule: dict, codes: Iterable[str], *, on: datetime
) -> rules.Evaluation:
    """The rule evaluated as if these modules were done: the builder's preview."""
    found = catalogue_for(version.organization)
    facts = [
        rules.CompletionFact(-n, code, on, credits=found.catalogue.credits(code))
        for n, code in enumerate(sorted(set(codes)), 1)
    ]
    return rules.compile_rule(rule, found.catalogue).evaluate(facts, on)


# ------------------------------------------------------------------ cohorts


def pathway_percents(
    pathway: Pathway, learner_ids: Iterable[int], *, on: datetime
) -> dict[int, int]:
    """Learner id -> their progress percent in the pathway, the figure their
    progress page shows: against the version they enrolled in last, else the
    latest published one. A fixed number of queries, whatever the cohort."""
    learner_ids = list(learner_ids)
    latest = (
        PathwayVersion.objects.published()
        .filter(pathway=pathway)
        .order_by("-number")
        .first()
    )
    # Ordered by enrolment, so a later enrolment replaces an earlier one.
    enrolled = {
        enrolment.learner_id: enrolment.version
        for enrolment in Enrolment.objects.filter(
            learner_id__in=learner_ids, version__pathway=pathway
        )
        .select_related("version")
        .order_by("enrolled_at", "pk")
    }
    if latest is None and not enrolled:
        return {}
    found = catalogue_for(pathway.organization)
    facts = cohort_facts(learner_ids, on=on)
    compiled_rules: dict[int, rules.CompiledRule] = {}
    percents = {}
    for learner_id in learner_ids:
        version = enrolled.get(learner_id, latest)
        if version is None:
            continue
        if version.pk not in compiled_rules:
            compiled_rules[version.pk] = compiled(version, found.catalogue)
        evaluation = compiled_rules[version.pk].evaluate(
            facts.get(learner_id, []), on, explain=False
        )
        percents[learner_id] = percent_done(evaluation)
    return percents


@dataclass(frozen=True)
class Change:
    learner: AbstractBaseUser
    before: rules.Evaluation
    after: rules.Evaluation

    @property
    def kind(self) -> str:
        if self.after.satisfied and not self.before.satisfied:
            return "gain"
        if self.before.satisfied and not self.after.satisfied:
            return "lose"
        return "keep"


@dataclass(frozen=True)
class Simulation:
    changes: tuple[Change, ...]

    def of(self, kind: str) -> list[Change]:
        return [c for c in self.changes if c.kind == kind]

    @property
    def gain(self) -> list[Change]:
        return self.of("gain")

    @property
    def lose(self) -> list[Change]:
        return self.of("lose")

    @property
    def keep(self) -> list[Change]:
        return self.of("keep")

    @property
    def progress_up(self) -> int:
        return sum(1 for c in self.changes if c.after.progress > c.before.progress)

    @property
    def progress_down(self) -> int:
        return sum(1 for c in self.changes if c.after.progress < c.before.progress)


def simulate(
    cohort_version: PathwayVersion, *, before: dict, after: dict, on: datetime
) -> Simulation:
    """The enrolled cohort of a version under two rules, changing nothing."""
    found = catalogue_for(cohort_version.organization)
    old = rules.compile_rule(before, found.catalogue)
    new = rules.compile_rule(after, found.catalogue)
    learners = list(
        get_user_model()
        .objects.filter(enrolments__version=cohort_version)
        .order_by("username")
    )
    facts = cohort_facts([u.pk for u in learners], on=on)
    changes = []
    for learner in learners:
        mine = facts.get(learner.pk, [])
        changes.append(Change(learner, old.evaluate(mine, on), new.evaluate(mine, on)))
    return Simulation(tuple(changes))


# --------------------------------------------------------------- catalogue


def published_pathways():
    return (
        PathwayVersion.objects.published()
        .select_related("pathway__organization")
        .order_by("pathway__organization__name", "pathway__code", "-number")
    )


def pathway_with_modules(version: PathwayVersion) -> list[ModuleStep]:
    organization_id = version.organization.pk
    codes = list(dict.fromkeys(rules.module_codes(version.rule)))
    modules = latest_published_modules({(organization_id, c) for c in codes})
    return [
        ModuleStep(
            code=c,
            title=(v.title if (v := modules.get((organization_id, c))) else c),
            version=modules.get((organization_id, c)),
            done=False,
        )
        for c in codes
    ]


def equivalences_of(organization: Organization) -> QuerySet[Equivalence]:
    return (
        Equivalence.objects.filter(organization=organization)
        .select_related("module", "approved_by")
        .order_by("withdrawn_at", "issuer", "achievement")
    )


def prerequisite_overrides_of(module) -> QuerySet[PrerequisiteOverride]:
    return module.prerequisite_overrides.select_related("learner", "granted_by")


def reevaluations_of(version: PathwayVersion) -> QuerySet[Reevaluation]:
    return version.reevaluations.select_related("requested_by")[:10]


# ----------------------------------------------------------------- planner


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
