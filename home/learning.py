"""A learner's own part of the home page: pathway progress and credentials,
rendered once and kept in the cache (Redis in production) until something it
shows changes.

What it shows changes only when the learner's own rows do (enrolments,
completions, submissions waiting for a grade, waivers, awards and their
status or certificate, memberships) or when the curriculum or organizations
do (titles, names, published versions, re-evaluations, roster imports). Each
learner has a version number and all learners share a generation number, both
in the cache; home/receivers.py bumps them after such a change commits. The
fragment is stored with the numbers read before the rows it shows were read
(one round trip reads the numbers and the fragment), so one built from older
rows carries older numbers and is never served again. The user's memberships
(which the navigation and the page's sections read) are kept the same way.

The evaluation also depends on the clock: credentials expire, and recency
rules (within_years) count calendar dates in the organization's time zone.
A fragment is kept only until the first such moment that can change it.
"""

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.db.models import Count, Min, Q
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from accounts import context_processors as navigation
from accounts.notifications.selectors import unread_count
from credentials.selectors import learner_awards
from pathways.selectors.progress import learner_progress
from reviews.selectors import sits_on_a_board

logger = logging.getLogger("cairn.home")

LONGEST = timedelta(hours=24)
# Every time zone's midnight falls on a quarter hour of UTC.
QUARTER_HOUR = 15 * 60


def _prefix() -> str:
    return "home:learning"


def generation_key() -> str:
    return f"{_prefix()}:generation"


def version_key(learner_id: int) -> str:
    return f"{_prefix()}:version:{learner_id}"


def _fresh_number() -> int:
    """A starting number no earlier key can have held: a version evicted from
    the cache must not come back as a number some stale fragment carries."""
    return time.time_ns()


def bump_learner(learner_id: int) -> None:
    _bump(version_key(learner_id))


def bump_everyone() -> None:
    _bump(generation_key())


def _cache_down(error: Exception) -> None:
    logger.warning(
        "The home page's cache cannot be reached (%s): pages are built afresh.", error
    )


def _bump(key: str) -> None:
    """Runs after a commit: the cache being down must not turn the committed
    work into an error (a grade import marked failed after its rows stood).
    Nothing stale can be served meanwhile: with the cache down nothing is read
    from it; Redis without persistence comes back empty."""
    try:
        try:
            cache.incr(key)
        except ValueError:  # never set, or evicted
            cache.set(key, _fresh_number(), timeout=None)
    except Exception as error:  # noqa: BLE001 - any backend's connection error
        _cache_down(error)


def _store(key: str, value, timeout: int) -> None:
    try:
        cache.set(key, value, timeout=timeout)
    except Exception as error:  # noqa: BLE001 - any backend's connection error
        _cache_down(error)


def fragment_key(learner_id: int) -> str:
    return f"{_prefix()}:fragment:{learner_id}"


def memberships_key(user_id: int) -> str:
    return f"{_prefix()}:memberships:{user_id}"


def person_version_key(user_id: int) -> str:
    return f"{_prefix()}:person-version:{user_id}"


def person_key(user_id: int) -> str:
    return f"{_prefix()}:person:{user_id}"


def bump_person(user_id: int) -> None:
    _bump(person_version_key(user_id))


@dataclass(frozen=True)
class Cached:
    """What one round trip to the cache found for a user's home page."""

    numbers: tuple[int, int]  # the shared generation, the learner's version
    fragment: tuple | None  # (stamp, html)
    person_number: int
    person: tuple | None  # (person_number, unread, seated)
    memberships: tuple | None = None  # (numbers, [(role, organization slug)])


# What read() gives when the cache cannot be reached: nothing cached, and
# numbers no stored entry carries, so the page is built afresh.
UNAVAILABLE = Cached(numbers=(-1, -1), fragment=None, person_number=-1, person=None)


def read(user_id: int) -> Cached:
    numbered = [generation_key(), version_key(user_id), person_version_key(user_id)]
    kept = [fragment_key(user_id), person_key(user_id), memberships_key(user_id)]
    try:
        found = cache.get_many([*numbered, *kept])
        for key in numbered:
            if key not in found:
                cache.add(key, _fresh_number(), timeout=None)
                found[key] = cache.get(key)
    except Exception as error:  # noqa: BLE001 - any backend's connection error
        _cache_down(error)
        return UNAVAILABLE
    return Cached(
        numbers=(found[numbered[0]], found[numbered[1]]),
        fragment=found.get(fragment_key(user_id)),
        person_number=found[numbered[2]],
        person=found.get(person_key(user_id)),
        memberships=found.get(memberships_key(user_id)),
    )


def memberships(request: HttpRequest, cached: Cached) -> list[tuple[str, str]]:
    """The user's (role, organization slug) pairs the navigation and the page
    share, kept with the learner's numbers: a membership saved or deleted
    bumps the learner's version (home/receivers.py; a sign-in granting roles
    in bulk says so too), an organization renamed the shared generation."""
    entry = cached.memberships
    if entry is not None and entry[0] == cached.numbers:
        return navigation.memberships(request, known=entry[1])
    found = navigation.memberships(request)
    if cached is not UNAVAILABLE:
        _store(
            memberships_key(request.user.pk),
            (cached.numbers, found),
            int(LONGEST.total_seconds()),
        )
    return found


def person_facts(user: AbstractBaseUser, cached: Cached) -> tuple[int, bool]:
    """The unread notifications and whether the user sits on a review board
    (only then can votes be due), kept until a notification or seat changes."""
    entry = cached.person
    if entry is not None and entry[0] == cached.person_number:
        return entry[1], entry[2]
    unread, seated = unread_count(user), sits_on_a_board(user)
    if cached is not UNAVAILABLE:
        _store(
            person_key(user.pk),
            (cached.person_number, unread, seated),
            int(LONGEST.total_seconds()),
        )
    return unread, seated


def _uses_recency(rule) -> bool:
    if isinstance(rule, dict):
        return "within_years" in rule or any(_uses_recency(v) for v in rule.values())
    if isinstance(rule, list):
        return any(_uses_recency(v) for v in rule)
    return False


def seconds_valid(progress, expiries, now: datetime) -> int:
    """Until the first moment the clock alone can change the fragment: an
    award (`expiries`, their ends of validity) or pathway completion expiring,
    or a midnight where recency rules count dates; at most LONGEST."""
    until = now + LONGEST
    for moment in [
        *expiries,
        *(p.completion.expires_at for p in progress if p.completion),
    ]:
        if moment is not None and moment > now:
            until = min(until, moment)
    if any(_uses_recency(p.version.rule) for p in progress):
        stamp = now.timestamp()
        until = min(
            until,
            datetime.fromtimestamp(
                (stamp // QUARTER_HOUR + 1) * QUARTER_HOUR, tz=now.tzinfo
            ),
        )
    return max(1, int((until - now).total_seconds()))


# The newest awards the home page shows; the rest are a link away (credentials:mine).
HOME_AWARDS = 6


def learning_section(
    user: AbstractBaseUser, cached: Cached, *, is_learner: bool, is_staff: bool
) -> str:
    """The "Your learning" section's HTML (empty when there is nothing to
    show), from the cache when nothing it shows has changed."""
    entry = cached.fragment
    stamp = (*cached.numbers, is_learner, is_staff)
    if entry is not None and entry[0] == stamp:
        return entry[1]
    now = timezone.now()
    progress = learner_progress(user, on=now)
    held = learner_awards(user)
    # The newest few with their credentials (a badge's caption is in it); of
    # the rest only how many and the next end of validity, whatever the history.
    awards = list(held[:HOME_AWARDS])
    facts = held.aggregate(
        total=Count("pk"), next_expiry=Min("expires_at", filter=Q(expires_at__gt=now))
    )
    html = render_to_string(
        "home/_learning.html",
        {
            "progress": progress,
            "awards": awards,
            "awards_total": facts["total"],
            "is_learner": is_learner,
            "is_staff": is_staff,
        },
    )
    # Markup the template rendered, kept as it is (blank when nothing shows).
    html = mark_safe(html.strip())  # noqa: S308
    # Stored with the numbers read before the rows were: a change committed
    # meanwhile bumped them, and the next request builds the fragment again.
    if cached is not UNAVAILABLE:
        _store(
            fragment_key(user.pk),
            (stamp, html),
            seconds_valid(progress, [facts["next_expiry"]], now),
        )
    return html
