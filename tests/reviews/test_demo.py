from django.core.management import call_command

from reviews import demo, selectors
from reviews.models import AdvisoryBoard, Review
from tests import builders


def test_the_demo_board_has_riley_and_a_draft_waiting_and_loads_once(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    users = {u: builders.user(u) for u in ("riley", "dana", "ada")}
    organization = users["ada"].memberships.first().organization
    demo.extend_demo(organization, users)
    demo.extend_demo(organization, users)
    assert AdvisoryBoard.objects.get().members.get().user == users["riley"]
    (waiting,) = selectors.waiting_for(users["riley"])
    assert waiting.version_label.startswith("SHEET-101 v2")
    assert len(waiting.content["outcomes"]) == 4
    # Besides Riley's open round, the board approved Analytical Reporting's
    # second version, which waits on Ada's home page to be published.
    assert sorted(Review.objects.values_list("version_label", "status")) == [
        ("REPORT-103 v2: Analytical Reporting", "approved"),
        (waiting.version_label, "open"),
    ]
