"""The learner's section of the home page comes from the cache, and every
change it shows reaches it: real services, real signals, the configured
cache (Redis when REDIS_URL is set). Its queries do not grow with the
learner's history, cached or not."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from credentials import services as credentials
from credentials.models import Award
from curriculum import services as curriculum
from home import learning
from pathways import services as pathways
from tests import builders, factories

pytestmark = pytest.mark.django_db(transaction=True)


def _home(client) -> str:
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.text


@pytest.fixture
def learner(cast, pathway, client):
    person = cast["learner"]
    pathways.enrol(person, pathway.version)
    client.force_login(person)
    return person


def _award(cast, task, learner) -> Award:
    builders.submit_and_pass(task, learner, cast["faculty"])
    return Award.objects.get(learner=learner, module_completion__version=task.version)


def _learning(html: str) -> str:
    start = html.index('<section aria-labelledby="learning-heading">')
    return html[start : html.index("</main>", start)]


def test_a_second_visit_is_served_from_the_cache(client, learner):
    first = _home(client)
    with CaptureQueriesContext(connection) as cached:
        again = _home(client)
    assert _learning(again) == _learning(first)
    sql = " ".join(q["sql"] for q in cached.captured_queries)
    assert "pathways_enrolment" not in sql
    assert "credentials_award" not in sql


def test_a_completion_and_its_award_show_at_once(client, cast, pathway, learner):
    assert "No credentials yet" in _home(client)
    builders.submit(pathway.tasks[1], learner)
    assert "waiting for a grade" in _home(client)
    award = _award(cast, pathway.tasks[0], learner)
    html = _home(client)
    assert "No credentials yet" not in html
    assert award.achievement_name in html
    assert "1 of 3 modules done" in html


def test_revoking_suspending_and_reinstating_show_at_once(
    client, cast, pathway, learner
):
    builders.with_suspension_entries(cast)
    award = _award(cast, pathway.tasks[0], learner)
    assert "Suspended" not in _home(client)
    credentials.suspend_award(award, by=cast["admin"], reason="Under review")
    assert 'class="badge revoked">Suspended' in _home(client)
    credentials.reinstate_award(
        Award.objects.get(pk=award.pk), by=cast["admin"], reason="Cleared"
    )
    assert 'class="badge revoked">Suspended' not in _home(client)
    credentials.revoke_award(
        Award.objects.get(pk=award.pk), by=cast["admin"], reason="Plagiarism"
    )
    assert 'class="badge revoked">Revoked' in _home(client)


def test_the_certificate_link_is_there_before_the_pdf_is_rendered(
    client, cast, pathway, learner
):
    """Certificates are rendered when first asked for: the link shows from the
    award on, whether or not the PDF is stored yet."""
    award = _award(cast, pathway.tasks[0], learner)
    link = reverse("credentials:pdf", args=[award.uuid])
    Award.objects.filter(pk=award.pk).update(pdf="")  # not asked for yet
    learning.bump_learner(learner.pk)
    assert link in _home(client)
    response = client.get(link)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    award.refresh_from_db()
    assert award.pdf
    assert link in _home(client)


def test_a_new_enrolment_shows(client, cast, learner):
    builders.make_module(cast, "N-201")
    version = pathways.publish_pathway_version(
        pathways.create_pathway_version(
            cast.organization,
            by=cast["designer"],
            code="NEW",
            title="Newly joined pathway",
            rule=pathways.all_of(["N-201"]),
        ),
        by=cast["admin"],
        changelog="First release.",
    )
    assert "Newly joined pathway" not in _home(client)
    pathways.enrol(learner, version)
    assert "Newly joined pathway" in _home(client)


def test_names_and_titles_edited_by_staff_show(client, cast, pathway, learner):
    _award(cast, pathway.tasks[0], learner)
    assert cast.organization.name in _home(client)
    cast.organization.name = "Renamed Institute of Technology"
    cast.organization.save(update_fields=["name"])
    assert "Renamed Institute of Technology" in _home(client)
    # A new version of a module, published with a new title.
    draft = curriculum.create_module_version(
        cast.organization, by=cast["designer"], code="B-102", title="Statistics II"
    )
    curriculum.publish_version(draft, by=cast["admin"], changelog="Retitled.")
    assert "Statistics II" in _home(client)


def test_the_learners_own_name_and_membership_show(client, cast, learner):
    learner.first_name = "Wilhelmina"
    learner.save(update_fields=["first_name"])
    assert "Hello, Wilhelmina" in _home(client)
    stranger = cast["stranger"]
    client.force_login(stranger)
    assert "You hold no role" in _home(client)
    curriculum.add_member(cast.organization, stranger, role=Membership.Role.LEARNER)
    html = _home(client)
    assert "You hold no role" not in html
    assert "Your learning" in html


def test_a_fragment_is_kept_only_until_the_first_expiry(cast, pathway, learner):
    now = timezone.now()
    award = _award(cast, pathway.tasks[0], learner)
    award.expires_at = now + timedelta(minutes=5)
    assert learning.seconds_valid([], [award.expires_at], now) == 300
    award.expires_at = now - timedelta(minutes=5)  # expired already: no bound
    assert learning.seconds_valid([], [award.expires_at], now) == 24 * 3600


def test_recency_rules_keep_a_fragment_until_the_next_quarter_hour(
    cast, pathway, learner
):
    from pathways.selectors.progress import learner_progress

    recent = pathways.publish_pathway_version(
        pathways.create_pathway_version(
            cast.organization,
            by=cast["designer"],
            code="RECENT",
            title="Recent work only",
            rule={**pathways.all_of(["A-101"]), "within_years": 3},
        ),
        by=cast["admin"],
        changelog="First release.",
    )
    pathways.enrol(learner, recent)
    now = timezone.now().replace(minute=7, second=0, microsecond=0)
    progress = learner_progress(learner, on=now)
    assert learning.seconds_valid(progress, [], now) == 8 * 60


def _history(cast, pathway, learner, size: int) -> None:
    """`size` more pathways in progress, each with a module completed and
    awarded, and one submission waiting."""
    for n in range(size):
        codes = [f"H{size}-{n}-{m}" for m in range(2)]
        tasks = [builders.make_module(cast, code) for code in codes]
        version = pathways.publish_pathway_version(
            pathways.create_pathway_version(
                cast.organization,
                by=cast["designer"],
                code=f"H{size}-{n}",
                title=f"History {size}-{n}",
                rule=pathways.all_of(codes),
            ),
            by=cast["admin"],
            changelog="First release.",
        )
        pathways.enrol(learner, version)
        builders.submit_and_pass(tasks[0], learner, cast["faculty"])
        builders.submit(tasks[1], learner)


def test_queries_do_not_grow_with_the_history(
    client, cast, pathway, learner, django_assert_max_num_queries
):
    _history(cast, pathway, learner, 1)
    _home(client)  # the session
    learning.bump_learner(learner.pk)
    learning.bump_person(learner.pk)
    with CaptureQueriesContext(connection) as cold:
        _home(client)
    with CaptureQueriesContext(connection) as warm:
        _home(client)
    assert len(warm) < len(cold)
    _history(cast, pathway, learner, 6)
    learning.bump_learner(learner.pk)
    learning.bump_person(learner.pk)
    with django_assert_max_num_queries(len(cold)):
        html = _home(client)
    assert "History 6-5" in html
    with django_assert_max_num_queries(len(warm)):
        _home(client)


def test_another_learners_changes_leave_the_fragment_alone(
    client, cast, pathway, learner
):
    _home(client)
    other = factories.UserFactory()
    curriculum.add_member(cast.organization, other, role=Membership.Role.LEARNER)
    builders.submit_and_pass(pathway.tasks[0], other, cast["faculty"])
    with CaptureQueriesContext(connection) as queries:
        _home(client)
    assert "credentials_award" not in " ".join(
        q["sql"] for q in queries.captured_queries
    )


def test_notifications_arriving_and_read_show(client, cast, pathway, learner):
    from accounts.notifications import services as notifications

    assert "No unread notifications" in _home(client)
    _award(cast, pathway.tasks[0], learner)  # tells the learner
    html = _home(client)
    assert "No unread notifications" not in html
    assert re.search(r">\d+ unread notifications?</a>", html)
    notifications.mark_all_read(learner)
    assert "No unread notifications" in _home(client)


def test_a_seat_on_a_board_brings_the_votes_due(client, cast, pathway):
    from reviews import services as reviews

    practitioner = factories.UserFactory()
    curriculum.add_member(cast.organization, practitioner, role=Membership.Role.LEARNER)
    client.force_login(practitioner)
    assert 'id="reviewer-heading"' not in _home(client)
    board = builders.make_board(cast)
    _, token = reviews.invite_member(
        board,
        by=cast["admin"],
        name="A practitioner",
        email=practitioner.email,
        is_named_publicly=False,
    )
    reviews.accept_invitation(token, user=practitioner)
    draft = curriculum.create_module_version(
        cast.organization, by=cast["designer"], code="V-1", title="To vote on"
    )
    reviews.submit_for_review(draft, by=cast["designer"], board=board)
    assert "1 review waits for your comments and vote" in _home(client)


def test_awards_written_in_bulk_show_once_their_signal_is_sent(
    client, cast, pathway, learner
):
    from credentials.signals import award_issued

    award = _award(cast, pathway.tasks[0], learner)
    assert award.achievement_name in _home(client)
    # As a batch writes awards: one statement, no row saved, then the signal.
    Award.objects.filter(pk=award.pk).update(achievement_name="Issued in a batch")
    assert "Issued in a batch" not in _home(client)  # nothing said yet
    award_issued.send(sender=Award, award_id=award.pk)
    assert "Issued in a batch" in _home(client)


def test_committed_work_and_the_pages_stand_while_the_cache_is_down(
    client, cast, pathway, learner, settings, caplog
):
    """The after-commit bumps and the page's reads and writes meet a cache that
    cannot be reached: the work that committed stands (a grade import was once
    marked failed after its rows had committed), and the pages are built afresh."""
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
        }
    }
    settings.CAIRN_ANALYTICS_CACHE_SECONDS = 300
    first, *_ = pathway.tasks
    award = _award(cast, first, learner)

    assert award.achievement_name in _learning(_home(client))
    assert award.achievement_name in _learning(_home(client))
    assert "cache cannot be reached" in caplog.text
    client.force_login(cast["admin"])
    page = reverse("analytics:organization", args=[cast.organization.slug])
    assert client.get(page).status_code == 200


def test_roles_a_single_sign_in_grants_show_at_once(client, cast):
    """The navigation's memberships are kept with the learner's numbers; a
    sign-in grants its roles in one statement and says so after commit."""
    from accounts.sso import services as sso
    from tests.accounts.sso.factories import make_oidc_provider

    provider = make_oidc_provider(
        cast.organization, default_role="learner", by=cast["admin"]
    )
    person = factories.UserFactory()
    client.force_login(person)
    assert "You hold no role" in _home(client)
    assert "You hold no role" in _home(client)  # now from the cache
    sso.sync_person(person, provider, {"groups": []}, first_sign_in=True)
    html = _home(client)
    assert "You hold no role" not in html
    assert "Your learning" in html
    assert "My plan</a>" in html  # the navigation's link for learners
    sso.sync_person(
        person, provider, {"groups": ["faculty-staff"]}, first_sign_in=False
    )
    assert "Grading</a>" in _home(client)


def test_a_cached_visit_reads_no_memberships(client, learner):
    _home(client)
    with CaptureQueriesContext(connection) as cached:
        html = _home(client)
    assert "accounts_membership" not in " ".join(
        q["sql"] for q in cached.captured_queries
    )
    assert "My plan</a>" in html


def test_the_home_page_shows_the_newest_awards_and_links_to_all(
    client, cast, pathway, learner
):
    from credentials.signals import award_issued

    newest = _award(cast, pathway.tasks[0], learner)
    older = [
        Award(
            kind=Award.Kind.MODULE,
            learner=learner,
            organization=newest.organization,
            achievement_name=f"Older credential {n}",
            signing_key_id=newest.signing_key_id,
            credential=newest.credential,
            issued_at=newest.issued_at - timedelta(days=n),
            revocation_list_id=newest.revocation_list_id,
            # Earlier awards of the same completion, revoked: the only kind of
            # second award a completion can have.
            module_completion=newest.module_completion,
            revoked_at=newest.issued_at,
        )
        for n in range(1, learning.HOME_AWARDS + 3)
    ]
    Award.objects.bulk_create(older)
    award_issued.send(sender=Award, award_id=newest.pk)
    total = len(older) + 1
    section = _learning(_home(client))
    shown = [n for n in range(1, total) if f"Older credential {n}<" in section]
    assert newest.achievement_name in section
    assert shown == list(range(1, learning.HOME_AWARDS))
    assert f"newest of {total} credentials" in section
    assert f'href="{reverse("credentials:mine")}">See all {total}</a>' in section
    mine = client.get(reverse("credentials:mine")).text
    assert all(f"Older credential {n}<" in mine for n in range(1, total))


def test_a_first_visit_reads_only_the_shown_credentials(client, cast, pathway, learner):
    """Of a long history only the newest few awards are read with their
    signed credentials; the rest are counted, and their earliest end of
    validity still bounds how long the fragment is kept."""
    newest = _award(cast, pathway.tasks[0], learner)
    soon = timezone.now() + timedelta(minutes=7)
    Award.objects.bulk_create(
        Award(
            kind=Award.Kind.MODULE,
            learner=learner,
            organization=newest.organization,
            achievement_name=f"Old {n}",
            signing_key_id=newest.signing_key_id,
            credential=newest.credential,
            issued_at=newest.issued_at - timedelta(days=n),
            revocation_list_id=newest.revocation_list_id,
            module_completion=newest.module_completion,
            revoked_at=newest.issued_at,
            # The oldest, far from the shown ones, ends first.
            expires_at=soon if n == 30 else None,
        )
        for n in range(1, 31)
    )
    learning.bump_learner(learner.pk)
    with CaptureQueriesContext(connection) as cold:
        section = _learning(_home(client))
    assert "newest of 31 credentials" in section
    reads = [
        q["sql"]
        for q in cold.captured_queries
        if '"credentials_award"."credential"' in q["sql"]
    ]
    assert len(reads) == 1
    assert f"LIMIT {learning.HOME_AWARDS}" in reads[0]
    if hasattr(learning.cache, "_cache"):  # Redis: how long the key has left
        key = learning.cache.make_and_validate_key(learning.fragment_key(learner.pk))
        assert 0 < learning.cache._cache.get_client(key).ttl(key) <= 7 * 60


def test_a_learner_with_few_awards_sees_them_all_and_no_link(
    client, cast, pathway, learner
):
    award = _award(cast, pathway.tasks[0], learner)
    section = _learning(_home(client))
    assert award.achievement_name in section
    assert "newest of" not in section
