"""Stacking through the database: traces, voiding, equivalences, expiry,
prerequisites, bulk re-evaluation, simulation and cohort moves."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import AuditEntry, Membership
from assessments import services as assessments
from assessments.models import ModuleCompletion
from curriculum import services as curriculum
from curriculum.models import Module
from pathways import selectors, services
from pathways.models import Enrolment, PathwayCompletion, Reevaluation
from pathways.selectors.cohorts import simulate
from pathways.selectors.planner import learner_plan
from pathways.selectors.progress import learner_progress
from pathways.services import cohorts as cohort_services
from pathways.signals import pathway_voided
from tests import builders, factories

Role = Membership.Role


def m(code: str) -> dict:
    return {"type": "module", "code": code}


def publish(cast, code, rule, **extra):
    version = services.create_pathway_version(
        cast.organization, by=cast["designer"], code=code, title=f"Pathway {code}",
        rule=rule, **extra,
    )  # fmt: skip
    return services.publish_pathway_version(version, by=cast["admin"], changelog="v1")


def complete(cast, learner, code):
    version = Module.objects.get(organization=cast.organization, code=code)
    return assessments.record_completion(
        learner, version.versions.get(status="published"), source="graded"
    )


@pytest.fixture
def modules(cast):
    for code in ("A", "B", "C", "D", "E"):
        builders.make_module(cast, code)
    return cast


A_B_ANY_2 = {
    "type": "all",
    "children": [
        m("A"),
        m("B"),
        {"type": "any", "n": 2, "children": [m("C"), m("D"), m("E")]},
    ],
}


def test_the_trace_is_stored_with_the_completion(
    modules, django_capture_on_commit_callbacks
):
    cast = modules
    version = publish(cast, "P", A_B_ANY_2)
    services.enrol(cast["learner"], version)
    with django_capture_on_commit_callbacks(execute=True):
        done = {c: complete(cast, cast["learner"], c) for c in ("A", "B", "D", "E")}
    completion = PathwayCompletion.objects.get(learner=cast["learner"])
    assert completion.trace["met"] == {c: done[c].pk for c in ("A", "B", "D", "E")}
    group = completion.trace["tree"]["children"][2]
    assert group["label"] == "any two of these three: Module C, Module D and Module E"
    assert group["met_by"] == sorted([done["D"].pk, done["E"].pk])


def test_voiding_a_module_completion_voids_the_pathway_and_announces_it(
    modules, django_capture_on_commit_callbacks
):
    cast = modules
    version = publish(cast, "P", {"type": "all", "children": [m("A"), m("B")]})
    services.enrol(cast["learner"], version)
    with django_capture_on_commit_callbacks(execute=True):
        a = complete(cast, cast["learner"], "A")
        complete(cast, cast["learner"], "B")
    completion = PathwayCompletion.objects.live().get(learner=cast["learner"])
    heard = []

    def listen(sender, **kwargs):
        heard.append(kwargs)

    pathway_voided.connect(listen)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assessments.void_completion(a, by=cast["admin"], reason="Appeal upheld")
    finally:
        pathway_voided.disconnect(listen)
    completion.refresh_from_db()
    assert completion.voided_at is not None
    assert [(h["completion_id"], h["learner_id"]) for h in heard] == [
        (completion.pk, cast["learner"].pk)
    ]
    assert AuditEntry.objects.filter(action="pathway.voided").count() == 1
    # Earning A again records a fresh completion.
    with django_capture_on_commit_callbacks(execute=True):
        complete(cast, cast["learner"], "A")
    assert PathwayCompletion.objects.live().filter(learner=cast["learner"]).count() == 1


def test_a_voided_completion_that_an_alternative_replaces_keeps_the_pathway(
    modules, django_capture_on_commit_callbacks
):
    cast = modules
    rule = {"type": "any", "n": 1, "children": [m("A"), m("B")]}
    version = publish(cast, "P", rule)
    services.enrol(cast["learner"], version)
    with django_capture_on_commit_callbacks(execute=True):
        a = complete(cast, cast["learner"], "A")
        complete(cast, cast["learner"], "B")
        assessments.void_completion(a, by=cast["admin"], reason="Appeal")
    assert PathwayCompletion.objects.live().filter(learner=cast["learner"]).exists()


def test_an_equivalence_lets_another_colleges_module_count(
    modules, django_capture_on_commit_callbacks
):
    cast = modules
    other = cast.other_organization
    admin = factories.UserFactory()
    curriculum.add_member(other, admin, role=Role.ADMIN)
    curriculum.add_member(other, admin, role=Role.DESIGNER)
    curriculum.add_member(other, cast["learner"], role=Role.LEARNER)
    outside = curriculum.create_module_version(
        other, by=admin, code="OU-A", title="Their spreadsheets"
    )
    outside = curriculum.publish_version(outside, by=admin, changelog="v1")
    version = publish(cast, "P", {"type": "all", "children": [m("A"), m("B")]})
    services.enrol(cast["learner"], version)
    with django_capture_on_commit_callbacks(execute=True):
        theirs = assessments.record_completion(
            cast["learner"], outside, source=ModuleCompletion.Source.GRADED
        )
        complete(cast, cast["learner"], "B")
    assert not PathwayCompletion.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        equivalence = services.approve_equivalence(
            cast.organization, by=cast["admin"], issuer=other.slug,
            achievement="OU-A", module=Module.objects.get(code="A"),
            note="Same outcomes, checked by the board.",
        )  # fmt: skip
    completion = PathwayCompletion.objects.get(learner=cast["learner"])
    assert completion.trace["met"]["A"] == theirs.pk
    [leaf] = [
        c for c in completion.trace["tree"]["children"] if c["label"] == "Module A"
    ]
    assert leaf["via"][0].startswith(f"OU-A of {other.slug} counts as A (approved by")
    assert Reevaluation.objects.get(version=version).status == "done"
    with pytest.raises(ValidationError, match="already approved"):
        services.approve_equivalence(
            cast.organization, by=cast["admin"], issuer=other.slug,
            achievement="OU-A", module=Module.objects.get(code="A"),
        )  # fmt: skip
    services.withdraw_equivalence(equivalence, by=cast["admin"])
    assert not selectors.catalogue_for(cast.organization).catalogue.equivalences


def test_an_expired_pathway_credential_is_renewed_by_recertifying(
    modules, django_capture_on_commit_callbacks
):
    cast = modules
    version = publish(
        cast, "P", {"type": "all", "children": [m("A")]}, valid_for_days=30
    )
    services.enrol(cast["learner"], version)
    with django_capture_on_commit_callbacks(execute=True):
        complete(cast, cast["learner"], "A")
    first = PathwayCompletion.objects.get()
    assert first.expires_at == first.completed_at + timedelta(days=30)
    # Not yet expired: evaluating again changes nothing.
    assert services.evaluate_learner_pathways(cast["learner"]) == []
    ModuleCompletion.objects.update(completed_at=timezone.now() - timedelta(days=41))
    PathwayCompletion.objects.filter(pk=first.pk).update(
        completed_at=timezone.now() - timedelta(days=40),
        expires_at=timezone.now() - timedelta(days=10),
    )
    [renewed] = services.evaluate_learner_pathways(cast["learner"])
    first.refresh_from_db()
    assert first.renewed_at is not None
    assert first.voided_at is None
    assert renewed.expires_at > timezone.now()
    assert AuditEntry.objects.filter(action="pathway.recertified").count() == 1


def test_nested_pathways_are_checked_for_cycles_and_existence(modules):
    cast = modules
    publish(cast, "INNER", {"type": "all", "children": [m("A")]})
    outer = publish(
        cast,
        "OUTER",
        {"type": "all", "children": [{"type": "pathway", "code": "INNER"}]},
    )
    with pytest.raises(ValidationError, match="cannot include each other"):
        services.create_pathway_version(
            cast.organization, by=cast["designer"], code="INNER", title="x",
            rule={"type": "pathway", "code": "OUTER"},
        )  # fmt: skip
    with pytest.raises(ValidationError, match="No such pathway: NOPE"):
        services.create_pathway_version(
            cast.organization, by=cast["designer"], code="Q", title="x",
            rule={"type": "pathway", "code": "NOPE"},
        )  # fmt: skip
    services.enrol(cast["learner"], outer)
    complete(cast, cast["learner"], "A")
    [progress] = learner_progress(cast["learner"], on=timezone.now())
    assert progress.evaluation.satisfied


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"type": "any", "n": 4, "children": [m("A"), m("B")]}, "can never be met"),
        ({"type": "credits", "min": 50, "children": [m("A"), m("B")]}, "offer only 10"),
        ({"type": "all", "children": [m("A"), m("ZZZ")]}, "No such module: ZZZ"),
    ],
)
def test_an_unsatisfiable_rule_is_refused_in_words(modules, rule, message):
    with pytest.raises(ValidationError, match=message):
        services.create_pathway_version(
            modules.organization, by=modules["designer"], code="P", title="P", rule=rule
        )


def test_prerequisites_lock_a_module_and_cannot_go_round(modules):
    cast = modules
    module_c = Module.objects.get(code="C")
    services.set_stacking(module_c, by=cast["designer"], prerequisite=m("A"))
    with pytest.raises(ValidationError, match="round in a circle: A → C → A"):
        services.set_stacking(
            Module.objects.get(code="A"), by=cast["designer"], prerequisite=m("C")
        )
    version = publish(cast, "P", {"type": "all", "children": [m("B"), m("C")]})
    services.enrol(cast["learner"], version)
    [progress] = learner_progress(cast["learner"], on=timezone.now())
    steps = [(s.code, s.locked, s.unlocks) for s in progress.evaluation.next_steps]
    assert steps == [("A", False, "C"), ("B", False, ""), ("C", True, "")]
    assert {n.status for n in progress.map.nodes if n.title == "Module C"} == {"locked"}


def test_bulk_reevaluation_records_and_voids_in_batches(
    modules, settings, monkeypatch, django_capture_on_commit_callbacks
):
    cast = modules
    monkeypatch.setattr(cohort_services, "REEVALUATION_BATCH", 2)
    version = publish(cast, "P", {"type": "all", "children": [m("A"), m("B")]})
    learners = [cast["learner"], cast["other_learner"]]
    for _ in range(3):
        learner = factories.UserFactory()
        curriculum.add_member(cast.organization, learner, role=Role.LEARNER)
        learners.append(learner)
    for learner in learners:
        services.enrol(learner, version)
    for learner in learners[:3]:
        complete(cast, learner, "A")
        complete(cast, learner, "B")
    # A completion recorded without its module standing any more.
    stale = services.record_pathway_completion(learners[4], version, trace={})
    assert PathwayCompletion.objects.live().count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        run = services.start_reevaluation(version, by=cast["admin"], reason="Import")
    run.refresh_from_db()
    assert (run.status, run.total, run.processed) == ("done", 5, 5)
    assert (run.recorded, run.voided) == (3, 1)
    stale.refresh_from_db()
    assert stale.voided_at is not None
    assert PathwayCompletion.objects.live().count() == 3
    # Running the task again finds the run done and changes nothing.
    assert services.run_reevaluation(run).processed == 5
    assert PathwayCompletion.objects.live().count() == 3


def test_the_simulator_and_a_cohort_move_show_who_gains_and_loses(
    modules, django_capture_on_commit_callbacks
):
    cast = modules
    v1 = publish(cast, "P", {"type": "all", "children": [m("A"), m("B")]})
    learner, other = cast["learner"], cast["other_learner"]
    for person in (learner, other):
        services.enrol(person, v1)
    for code in ("A", "B"):
        complete(cast, learner, code)
    complete(cast, other, "C")
    rule = {"type": "any", "n": 1, "children": [m("C"), m("D")]}
    simulation = simulate(v1, before=v1.rule, after=rule, on=timezone.now())
    assert [c.learner for c in simulation.gain] == [other]
    assert [c.learner for c in simulation.lose] == [learner]
    assert not PathwayCompletion.objects.filter(learner=other).exists()  # no change

    draft = services.create_pathway_version(
        cast.organization, by=cast["designer"], code="P", title="P v2", rule=rule
    )
    v2 = services.publish_pathway_version(draft, by=cast["admin"], changelog="v2")
    with pytest.raises(ValidationError, match="newer version"):
        services.move_cohort(v2, v1, by=cast["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        assert services.move_cohort(v1, v2, by=cast["admin"]) == 2
    assert set(Enrolment.objects.values_list("version", flat=True)) == {v2.pk}
    assert PathwayCompletion.objects.live().filter(learner=other, version=v2).exists()


def test_the_planner_finds_the_module_that_advances_most_goals(modules):
    cast = modules
    first = publish(cast, "P1", {"type": "all", "children": [m("A"), m("B")]})
    second = publish(cast, "P2", {"type": "all", "children": [m("B"), m("C")]})
    third = publish(cast, "P3", {"type": "all", "children": [m("D"), m("E")]})
    for version in (first, second, third):
        services.enrol(cast["learner"], version)
    plan = learner_plan(cast["learner"], on=timezone.now())
    assert plan.options[0].code == "B"
    assert [a[0] for a in plan.options[0].advances] == ["Pathway P1", "Pathway P2"]
    assert ("B", "Module B", ("Pathway P1", "Pathway P2")) in plan.shared


def test_decimal_credits_meet_a_decimal_minimum_through_the_database(
    cast, django_capture_on_commit_callbacks
):
    from decimal import Decimal

    from curriculum.models import ModuleVersion

    for code, credits in (("A", "0.3"), ("B", "0.6")):
        task = builders.make_module(cast, code, publish=False)
        ModuleVersion.objects.filter(pk=task.version_id).update(
            credits=Decimal(credits)
        )
        curriculum.publish_version(
            ModuleVersion.objects.get(pk=task.version_id),
            by=cast["admin"],
            changelog="First release.",
        )
    rule = {"type": "credits", "min": 0.9, "children": [m("A"), m("B")]}
    version = publish(cast, "P", rule)
    services.enrol(cast["learner"], version)
    with django_capture_on_commit_callbacks(execute=True):
        complete(cast, cast["learner"], "A")
        complete(cast, cast["learner"], "B")
    assert PathwayCompletion.objects.filter(learner=cast["learner"]).exists()
    found = selectors.catalogue_for(cast.organization).catalogue
    assert found.credits("A") == Decimal("0.3")
    assert str(found.time_zone) == "UTC"  # settings.TIME_ZONE until orgs have one
