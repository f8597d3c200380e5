"""The rubric builder: rows and columns added, reordered and removed in place."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from selenium.webdriver.common.by import By

from accounts.models import AuditEntry
from assessments import services
from assessments.models import Criterion, Level, Rubric
from tests import builders
from tests.test_browser import (  # noqa: F401 (the fixture)
    browser,
    click,
    log_in,
    wait_until,
)

HTMX = {"HX-Request": "true"}


@pytest.fixture
def draft_task(cast):
    return builders.make_module(cast, "RB-1", publish=False)


def grid(task) -> list[tuple[str, list[tuple[str, int]]]]:
    return [
        (c.name, [(lv.name, lv.points) for lv in c.levels.all()])
        for c in task.rubric.criteria.prefetch_related("levels")
    ]


def edit(client, task, operation, **data):
    return client.post(
        reverse("assessments:rubric-edit", args=[task.pk, operation]),
        data,
        headers=HTMX,
    )


def test_rows_are_added_reordered_and_removed_in_place(client, cast, draft_task):
    client.force_login(cast["designer"])
    outcome = draft_task.version.outcomes.first()
    response = edit(client, draft_task, "add-criterion", name="Honest chart",
                    outcomes=[outcome.pk])  # fmt: skip
    assert response.status_code == 200
    assert 'id="grid"' in response.text
    assert "<html" not in response.text
    assert [name for name, _ in grid(draft_task)] == [
        "Accuracy", "Communication", "Honest chart",
    ]  # fmt: skip
    added = Criterion.objects.get(name="Honest chart")
    assert list(added.outcomes.all()) == [outcome]
    assert [lv.name for lv in added.levels.all()] == [
        "Not yet", "Developing", "Competent", "Exemplary",
    ]  # fmt: skip
    edit(client, draft_task, "move-criterion", criterion=added.pk, offset=-1)
    assert [name for name, _ in grid(draft_task)][1] == "Honest chart"
    edit(client, draft_task, "remove-criterion",
         criterion=Criterion.objects.get(name="Accuracy").pk)  # fmt: skip
    assert [name for name, _ in grid(draft_task)] == ["Honest chart", "Communication"]
    assert AuditEntry.objects.filter(action="rubric.criterion_removed").exists()


def test_columns_are_added_reordered_renamed_and_removed(client, cast, draft_task):
    client.force_login(cast["designer"])
    edit(client, draft_task, "add-level", name="Outstanding", points=5)
    assert grid(draft_task)[0][1][-1] == ("Outstanding", 5)
    assert all(len(levels) == 5 for _, levels in grid(draft_task))
    edit(client, draft_task, "rename-level", position=1, name="Emerging")
    assert grid(draft_task)[1][1][1] == ("Emerging", 1)
    # Swap "Not yet" (0) and "Emerging" (1): points would fall, so refused.
    response = edit(client, draft_task, "move-level", position=0, offset=1)
    assert "Points must not fall" in response.text
    assert grid(draft_task)[0][1][0] == ("Not yet", 0)
    edit(client, draft_task, "remove-level", position=1)
    assert [n for n, _ in grid(draft_task)[0][1]] == [
        "Not yet", "Competent", "Exemplary", "Outstanding",
    ]  # fmt: skip
    # The pass policy's level moved with the columns: it was "Emerging" (1) and
    # is now the lowest level that remains above it.
    draft_task.rubric.refresh_from_db()
    assert draft_task.rubric.pass_min_level == 1


def test_a_cell_holds_points_and_a_descriptor(client, cast, draft_task):
    client.force_login(cast["designer"])
    level = Level.objects.filter(criterion__rubric=draft_task.rubric).get(
        criterion__name="Accuracy", position=2
    )
    edit(client, draft_task, "cell", level=level.pk, points=2,
         descriptor="Totals reconcile with the source.")  # fmt: skip
    level.refresh_from_db()
    assert level.descriptor == "Totals reconcile with the source."
    response = edit(client, draft_task, "cell", level=level.pk, points=9, descriptor="")
    assert "Points must not fall" in response.text
    level.refresh_from_db()
    assert level.points == 2


def test_the_last_criterion_and_the_second_last_level_stay(client, cast, draft_task):
    client.force_login(cast["designer"])
    edit(client, draft_task, "policy", kind="analytic", pass_min_total=1,
         pass_min_level="")  # fmt: skip
    edit(client, draft_task, "remove-criterion",
         criterion=draft_task.rubric.criteria.first().pk)  # fmt: skip
    response = edit(
        client, draft_task, "remove-criterion",
        criterion=draft_task.rubric.criteria.get().pk,
    )  # fmt: skip
    assert "at least one criterion" in response.text
    for position in (3, 2):
        edit(client, draft_task, "remove-level", position=position)
    response = edit(client, draft_task, "remove-level", position=1)
    assert "at least two performance levels" in response.text
    assert len(grid(draft_task)[0][1]) == 2


def test_kinds_and_pass_policy(client, cast, draft_task):
    client.force_login(cast["designer"])
    response = edit(client, draft_task, "policy", kind="holistic", pass_min_total=3,
                    pass_min_level="")  # fmt: skip
    assert "exactly one criterion" in response.text
    draft_task.rubric.refresh_from_db()
    assert draft_task.rubric.kind == Rubric.Kind.ANALYTIC
    edit(client, draft_task, "policy", kind="analytic", pass_min_total="",
         pass_min_level=3)  # fmt: skip
    draft_task.rubric.refresh_from_db()
    assert (draft_task.rubric.pass_min_total, draft_task.rubric.pass_min_level) == (
        None,
        2,
    )


def test_a_rubric_is_copied_from_another_module(client, cast, draft_task):
    source = builders.make_module(cast, "RB-SRC", publish=False)
    level = Level.objects.get(criterion__rubric=source.rubric,
                              criterion__name="Accuracy", position=3)  # fmt: skip
    services.update_cell(level, by=cast["designer"], points=3, descriptor="Flawless.")
    client.force_login(cast["designer"])
    response = client.post(
        reverse("assessments:rubric-edit", args=[draft_task.pk, "copy"]),
        {"source": source.pk},
    )
    assert response.status_code == 302
    assert grid(draft_task) == grid(source)
    copied = Level.objects.get(criterion__rubric=draft_task.rubric,
                               criterion__name="Accuracy", position=3)  # fmt: skip
    assert copied.descriptor == "Flawless."
    # Outcomes map by position onto this module's own outcomes.
    accuracy = draft_task.rubric.criteria.get(name="Accuracy")
    assert accuracy.outcomes.get().version_id == draft_task.version_id


def test_a_published_rubric_cannot_change(cast):
    task = builders.make_module(cast, "RB-PUB")
    with pytest.raises(ValidationError, match="can no longer be edited"):
        services.add_criterion(task.rubric, by=cast["designer"], name="Late")
    assert task.rubric.criteria.count() == 2


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("designer", 200),
        ("admin", 200),
        ("reviewer", 403),
        ("faculty", 404),
        ("learner", 404),
    ],
)
def test_who_can_open_the_builder(client, cast, draft_task, role, status):
    client.force_login(cast[role])
    url = reverse("assessments:rubric-builder", args=[draft_task.pk])
    assert client.get(url).status_code == status


def test_without_htmx_a_change_redirects_back_with_the_error(client, cast, draft_task):
    client.force_login(cast["designer"])
    url = reverse("assessments:rubric-edit", args=[draft_task.pk, "remove-level"])
    response = client.post(url, {"position": 99}, follow=True)
    assert "The rubric has no such level." in response.text


def test_a_single_point_rubric_has_three_levels(client, cast, draft_task):
    client.force_login(cast["designer"])
    response = edit(client, draft_task, "policy", kind="single_point",
                    pass_min_total="", pass_min_level=2)  # fmt: skip
    assert "three levels: below, at and beyond" in response.text
    edit(client, draft_task, "remove-level", position=3)
    edit(client, draft_task, "policy", kind="single_point", pass_min_total="",
         pass_min_level=2)  # fmt: skip
    draft_task.rubric.refresh_from_db()
    assert draft_task.rubric.kind == Rubric.Kind.SINGLE_POINT
    response = edit(client, draft_task, "add-level", name="Far beyond", points=4)
    assert "three levels" in response.text
    assert len(grid(draft_task)[0][1]) == 3


def test_typed_text_survives_saving_another_cell_in_the_browser(
    browser,  # noqa: F811
    live_server,
):
    cast = builders.make_cast()
    draft_task = builders.make_module(cast, "RB-2", publish=False)
    rubric = draft_task.rubric
    first, second = rubric.criteria.all()[0].levels.all()[:2]
    log_in(browser, live_server, cast["designer"])
    browser.get(
        live_server.url + reverse("assessments:rubric-builder", args=[draft_task.pk])
    )
    # Text typed into one cell and not saved yet…
    browser.find_element(By.ID, f"descriptor-{first.pk}").send_keys(" Not saved yet.")
    # …while another cell is saved, and the grid comes back from the server.
    browser.find_element(By.ID, f"descriptor-{second.pk}").send_keys(" Saved.")
    click(browser, "css selector", f"#descriptor-{second.pk} ~ button")
    wait_until(
        browser,
        lambda b: Level.objects.get(pk=second.pk).descriptor.endswith("Saved."),
    )
    wait_until(
        browser,
        lambda b: (
            b.find_element(By.ID, f"descriptor-{second.pk}")
            .get_property("defaultValue")
            .endswith("Saved.")
        ),
    )
    kept = browser.find_element(By.ID, f"descriptor-{first.pk}")
    assert kept.get_property("value").endswith("Not saved yet.")
    assert not Level.objects.get(pk=first.pk).descriptor.endswith("Not saved yet.")

    # A refused change keeps what was typed into its own form too.
    points = browser.find_element(By.ID, f"points-{second.pk}")
    # (past the browser's own check of min="0", as a script or old browser may)
    browser.execute_script("arguments[0].removeAttribute('min');", points)
    points.clear()
    points.send_keys("-3")
    click(browser, "css selector", f"#descriptor-{second.pk} ~ button")
    wait_until(browser, lambda b: "whole number" in b.find_element(By.ID, "grid").text)
    assert (
        browser.find_element(By.ID, f"points-{second.pk}").get_property("value") == "-3"
    )
    assert (
        browser.find_element(By.ID, f"descriptor-{first.pk}")
        .get_property("value")
        .endswith("Not saved yet.")
    )
