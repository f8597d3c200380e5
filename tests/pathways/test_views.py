"""The pathway pages: rule builder, preview, simulator, equivalences, bulk
re-evaluation, the learner's map, the planner."""

import pytest
from django.urls import reverse

from assessments import services as assessments
from curriculum.models import Module
from pathways import services
from pathways.models import Equivalence, PathwayVersion, Reevaluation
from tests import builders


def m(code: str) -> dict:
    return {"type": "module", "code": code}


@pytest.fixture
def draft(cast):
    for code in ("A", "B", "C", "D", "E"):
        builders.make_module(cast, code)
    return services.create_pathway_version(
        cast.organization, by=cast["designer"], code="P", title="Data pathway",
        rule={"type": "all", "children": [m("A")]},
    )  # fmt: skip


def complete(cast, learner, code):
    module = Module.objects.get(organization=cast.organization, code=code)
    return assessments.record_completion(
        learner, module.versions.get(status="published"), source="graded"
    )


@pytest.mark.parametrize(
    ("role", "status"),
    [("designer", 200), ("admin", 200), ("reviewer", 403), ("learner", 404),
     ("stranger", 404)],
)  # fmt: skip
def test_who_may_open_the_rule_builder(client, cast, draft, role, status):
    client.force_login(cast[role])
    response = client.get(reverse("pathways:rule-builder", args=[draft.pk]))
    assert response.status_code == status


def test_a_designer_builds_all_of_a_b_and_any_2_of_c_d_e(client, cast, draft):
    client.force_login(cast["designer"])
    url = reverse("pathways:rule-edit", args=[draft.pk])

    def edit(**data):
        response = client.post(url, data, headers={"HX-Request": "true"})
        assert response.status_code == 200
        return response.text

    edit(action="add-module", path="0", code="B")
    edit(action="add-group", path="0", kind="any", code="C")
    edit(action="add-module", path="0.2", code="D")
    edit(action="add-module", path="0.2", code="E")
    refused = edit(action="set-group", path="0.2", kind="any", n="4")
    assert (
        "This group asks for 4 of its 3 modules and can never be met: lower the "
        "number or add modules." in refused
    )
    page = edit(action="set-group", path="0.2", kind="any", n="2")
    assert (
        "Complete Module A and Module B, and any two of these three: Module C, "
        "Module D and Module E." in page
    )
    draft.refresh_from_db()
    assert draft.rule["children"][2] == {
        "type": "any", "n": 2, "children": [m("C"), m("D"), m("E")],
    }  # fmt: skip
    # Keyboard moves: E up within its group, then B into the group.
    edit(action="up", path="0.2.2")
    edit(action="move-into", path="0.1", target="0.2")
    draft.refresh_from_db()
    assert [c.get("code") for c in draft.rule["children"][1]["children"]] == [
        "C", "E", "D", "B",
    ]  # fmt: skip
    assert "rule.updated" in set(
        cast.organization.audit_entries.values_list("action", flat=True)
    )


def test_without_javascript_an_edit_redirects_back_with_the_error(client, cast, draft):
    client.force_login(cast["designer"])
    response = client.post(
        reverse("pathways:rule-edit", args=[draft.pk]),
        {"action": "remove", "path": "0"},
        follow=True,
    )
    assert "The top of the rule cannot be moved or removed." in response.text
    draft.refresh_from_db()
    assert draft.rule == {"type": "all", "children": [m("A")]}


def test_a_published_rule_cannot_be_edited(client, cast, draft):
    version = services.publish_pathway_version(draft, by=cast["admin"], changelog="x")
    client.force_login(cast["designer"])
    response = client.post(
        reverse("pathways:rule-edit", args=[version.pk]),
        {"action": "add-module", "path": "0", "code": "B"},
        headers={"HX-Request": "true"},
    )
    assert "can no longer be edited" in response.text
    version.refresh_from_db()
    assert version.rule == {"type": "all", "children": [m("A")]}


def test_the_preview_shows_what_ticked_modules_or_a_learner_satisfy(
    client, cast, draft
):
    services.update_rule(
        draft, by=cast["designer"],
        rule={"type": "any", "n": 2, "children": [m("A"), m("B"), m("C")]},
    )  # fmt: skip
    client.force_login(cast["designer"])
    url = reverse("pathways:rule-preview", args=[draft.pk])
    one = client.get(url, {"module": ["A"]})
    assert "Not yet satisfied" in one.text
    assert "not yet: needs 2 of Module A, Module B, Module C; you have 1" in one.text
    assert "Satisfied." in client.get(url, {"module": ["A", "C"]}).text
    complete(cast, cast["learner"], "B")
    complete(cast, cast["learner"], "C")
    learner = client.get(url, {"learner": cast["learner"].pk})
    assert "Satisfied." in learner.text


def test_the_simulator_shows_who_would_gain_and_lose(client, cast, draft):
    v1 = services.publish_pathway_version(draft, by=cast["admin"], changelog="x")
    services.enrol(cast["learner"], v1)
    services.enrol(cast["other_learner"], v1)
    complete(cast, cast["learner"], "A")
    complete(cast, cast["other_learner"], "B")
    v2 = services.create_pathway_version(
        cast.organization, by=cast["designer"], code="P", title="Data pathway",
        rule={"type": "all", "children": [m("B")]},
    )  # fmt: skip
    client.force_login(cast["designer"])
    page = client.get(reverse("pathways:simulate", args=[v2.pk]))
    assert "<strong>1</strong> would gain completion" in page.text
    assert "<strong>1</strong> would lose it" in page.text
    # Both rules in words, with titles.
    assert "<dd>Complete Module B.</dd>" in page.text
    assert PathwayVersion.objects.get(pk=v2.pk).status == "draft"


def test_an_admin_approves_and_withdraws_an_equivalence(client, cast, draft):
    client.force_login(cast["designer"])
    url = reverse("pathways:equivalences")
    assert client.get(url).status_code == 200
    assert client.post(url, {}).status_code == 403
    client.force_login(cast["admin"])
    form = {
        "organization": cast.organization.pk, "issuer": cast.other_organization.slug,
        "achievement": "OU-A", "module": Module.objects.get(code="A").pk,
        "note": "Board approved.",
    }  # fmt: skip
    response = client.post(url, form, follow=True)
    assert "Equivalence approved" in response.text
    equivalence = Equivalence.objects.get()
    assert equivalence.approved_by == cast["admin"]
    again = client.post(url, form)
    assert "already approved" in again.text
    client.post(reverse("pathways:equivalence-withdraw", args=[equivalence.pk]))
    equivalence.refresh_from_db()
    assert equivalence.withdrawn_at is not None


def test_an_admin_reevaluates_a_cohort_and_watches_its_progress(
    client, cast, draft, django_capture_on_commit_callbacks
):
    version = services.publish_pathway_version(draft, by=cast["admin"], changelog="x")
    services.enrol(cast["learner"], version)
    complete(cast, cast["learner"], "A")
    client.force_login(cast["learner"])
    url = reverse("pathways:reevaluate", args=[version.pk])
    assert client.post(url).status_code == 403
    client.force_login(cast["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    run = Reevaluation.objects.get()
    assert response.url == reverse("pathways:reevaluation", args=[run.pk])
    status = client.get(response.url, headers={"HX-Request": "true"})
    assert "<strong>Done</strong>: 1 of 1 learners (100%)" in status.text
    assert "1 new completion recorded" in status.text


def test_the_dashboard_draws_the_map_with_a_text_equivalent(client, cast, draft):
    services.update_rule(
        draft, by=cast["designer"],
        rule={"type": "all", "children": [
            m("A"), m("B"),
            {"type": "any", "n": 2, "children": [m("C"), m("D"), m("E")]},
        ]},
    )  # fmt: skip
    version = services.publish_pathway_version(draft, by=cast["admin"], changelog="x")
    services.enrol(cast["learner"], version)
    complete(cast, cast["learner"], "A")
    complete(cast, cast["learner"], "C")
    client.force_login(cast["learner"])
    page = client.get(reverse("home")).text
    assert '<svg role="img"' in page
    assert "Text version of the map" in page
    assert "Module A (A): done" in page
    assert "Module B (B): available now, your next step" in page
    assert "Any two of these three: in progress" in page
    assert "Next step: <a" in page
    assert "Or instead: Module E" in page or "Or instead: Module D" in page
    assert 'aria-valuenow="50"' in page  # (1 + 0 + 1/2) / 3
    assert "Without Module A: 17% done." in page


def test_work_waiting_for_a_grade_is_shown_as_such_not_as_the_next_step(
    client, cast, draft
):
    services.update_rule(
        draft, by=cast["designer"], rule={"type": "all", "children": [m("A"), m("B")]}
    )
    version = services.publish_pathway_version(draft, by=cast["admin"], changelog="x")
    services.enrol(cast["learner"], version)
    complete(cast, cast["learner"], "A")
    module_b = Module.objects.get(organization=cast.organization, code="B")
    builders.submit(module_b.versions.get().tasks.get(), cast["learner"])
    client.force_login(cast["learner"])
    page = client.get(reverse("home")).text
    assert "waiting for a grade" in page
    assert "Next step: <a" not in page
    assert "Waiting for your grade on Module B" in page
    assert "B (submitted · awaiting grade): in progress" in page
    assert "your next step" not in page


def test_a_learner_sees_what_already_counts_before_enrolling(client, cast, draft):
    version = services.publish_pathway_version(draft, by=cast["admin"], changelog="x")
    complete(cast, cast["learner"], "A")
    client.force_login(cast["learner"])
    page = client.get(version.get_absolute_url()).text
    assert "100% of this pathway is already met by your completions" in page


def test_the_planner_page_ranks_what_to_take_next(client, cast, draft):
    first = services.publish_pathway_version(draft, by=cast["admin"], changelog="x")
    second = services.create_pathway_version(
        cast.organization, by=cast["designer"], code="Q", title="Second",
        rule={"type": "all", "children": [m("A"), m("B")]},
    )  # fmt: skip
    second = services.publish_pathway_version(second, by=cast["admin"], changelog="x")
    for version in (first, second):
        services.enrol(cast["learner"], version)
    client.force_login(cast["learner"])
    page = client.get(reverse("pathways:planner")).text
    assert "Data pathway: 0% → 100% (completes it)" in page
    assert "A Module A: Data pathway, Second" in page


def test_a_designer_sets_tags_and_prerequisites_in_words(client, cast, draft):
    module_c = Module.objects.get(code="C")
    url = reverse("pathways:module-stacking", args=[module_c.pk])
    client.force_login(cast["learner"])
    assert client.get(url).status_code == 404
    client.force_login(cast["designer"])
    a, b = Module.objects.get(code="A"), Module.objects.get(code="B")
    response = client.post(
        url, {"tags": "elective, data", "prerequisites": [a.pk, b.pk]}, follow=True
    )
    assert "Stacking of C saved." in response.text
    module_c.stacking.refresh_from_db()
    assert module_c.stacking.tags == ["data", "elective"]
    assert module_c.stacking.prerequisite == services.all_of(["A", "B"])
    back = client.post(
        reverse("pathways:module-stacking", args=[a.pk]),
        {"prerequisites": [module_c.pk]},
    )
    assert "Prerequisites cannot go round in a circle: A → C → A." in back.text


def test_an_admin_sees_who_gains_or_loses_before_moving_a_cohort(
    client, cast, draft, django_capture_on_commit_callbacks
):
    v1 = services.publish_pathway_version(draft, by=cast["admin"], changelog="x")
    services.enrol(cast["learner"], v1)
    complete(cast, cast["learner"], "B")
    v2 = services.create_pathway_version(
        cast.organization, by=cast["designer"], code="P", title="Data pathway",
        rule={"type": "all", "children": [m("B")]},
    )  # fmt: skip
    v2 = services.publish_pathway_version(v2, by=cast["admin"], changelog="v2")
    url = reverse("pathways:cohort-move", args=[v2.pk])
    client.force_login(cast["designer"])
    assert client.get(url).status_code == 403
    client.force_login(cast["admin"])
    page = client.get(url)
    assert "<strong>1</strong> would gain completion" in page.text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"source": v1.pk})
    assert response.status_code == 302
    assert cast["learner"].enrolments.get().version == v2
    assert v2.completions.filter(learner=cast["learner"]).exists()


def _dashboard_queries(client, cast, count: int) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from home import learning

    for n in range(count):
        version = services.create_pathway_version(
            cast.organization, by=cast["designer"], code=f"N{n}", title=f"N{n}",
            rule={"type": "all", "children": [
                {"type": "pathway", "code": "P"}, m("C"),
                {"type": "credits", "min": 5, "children": [m("D"), m("E")]},
            ]},
        )  # fmt: skip
        version = services.publish_pathway_version(
            version, by=cast["admin"], changelog="x"
        )
        services.enrol(cast["learner"], version)
        complete(cast, cast["learner"], "CDE"[n % 3])
    client.force_login(cast["learner"])
    # Counted as a first visit: the learner's section and facts built again
    # (home/learning.py); the test's transaction never commits, so the bumps
    # made after commit are made here.
    learning.bump_learner(cast["learner"].pk)
    learning.bump_person(cast["learner"].pk)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    return len(queries)


def test_dashboard_queries_stay_flat_with_nested_pathways(client, cast, draft):
    services.publish_pathway_version(draft, by=cast["admin"], changelog="x")
    complete(cast, cast["learner"], "A")
    few = _dashboard_queries(client, cast, 1)
    many = _dashboard_queries(client, cast, 2)
    assert many == few


def test_the_rule_builder_says_how_recency_pins_and_results_are_read(
    client, cast, draft, settings
):
    settings.TIME_ZONE = "Europe/Dublin"
    client.force_login(cast["designer"])
    response = client.get(reverse("pathways:rule-builder", args=[draft.pk]))
    text = response.content.decode()
    assert "calendar dates in the organization&#x27;s time zone (Europe/Dublin)" in text
    assert "does not meet a pinned module" in text
    assert "A minimum of 0 is no minimum." in text
