"""What changes a learner's dashboard section (home/learning.py) bumps its
numbers, after the change commits.

A row with a learner (or a membership's user) bumps that learner's version;
the curriculum, organizations and staff jobs that touch many learners at
once (re-evaluations, roster imports, cohort moves start a re-evaluation)
bump every learner's generation: they are rare beside the requests. The
apps' own facts (completions recorded or voided, grades released) bump too,
for whatever reaches them without saving a row one by one.
"""

from functools import partial

from django.apps import apps
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from accounts import signals as account_signals
from accounts.notifications import signals as notification_signals
from assessments import signals as assessment_signals
from credentials import signals as credential_signals
from home import learning
from pathways import signals as pathway_signals

# model label -> the field naming the learner whose section shows the row
LEARNER_ROWS = {
    "pathways.Enrolment": "learner_id",
    "pathways.PathwayCompletion": "learner_id",
    "pathways.PrerequisiteOverride": "learner_id",
    "assessments.ModuleCompletion": "learner_id",
    "assessments.Submission": "learner_id",
    "credentials.Award": "learner_id",
    "accounts.Membership": "user_id",
}
# What every learner's section may show: names, titles, published versions,
# the stacking and equivalences rules count, jobs enrolling or moving many.
SHARED_ROWS = [
    "accounts.Organization",
    "curriculum.Module",
    "curriculum.ModuleVersion",
    "pathways.Pathway",
    "pathways.PathwayVersion",
    "pathways.Equivalence",
    "pathways.StackingProfile",
    "pathways.Reevaluation",
    "accounts.RosterImport",
]
# Rows (with a user) behind the unread count and the board seat.
PERSON_ROWS = ["accounts.Notification", "reviews.BoardMember"]

AWARD_FACTS = ["award_issued", "award_revoked", "award_suspended", "award_reinstated"]

FACTS = {
    assessment_signals.__name__: [
        "module_completed",
        "completion_voided",
        "completion_regraded",
        "grade_released",
    ],
    pathway_signals.__name__: ["pathway_completed", "pathway_voided"],
}


def _learner_changed(sender, instance, *, field: str, **kwargs) -> None:
    learner_id = getattr(instance, field)
    transaction.on_commit(partial(learning.bump_learner, learner_id))


def _shared_changed(sender, **kwargs) -> None:
    transaction.on_commit(learning.bump_everyone)


def _person_changed(sender, instance, **kwargs) -> None:
    if instance.user_id is not None:  # a board seat offered, not yet taken
        transaction.on_commit(partial(learning.bump_person, instance.user_id))


def _all_read(sender, *, user_id: int, **kwargs) -> None:
    learning.bump_person(user_id)  # sent after commit already


def _award_fact(sender, *, award_id: int, **kwargs) -> None:
    """Awards may be written in bulk by the issuing pipeline (no row saved one
    by one): the learner is looked up from the award the signal names."""
    award = apps.get_model("credentials.Award")
    for learner_id in award.objects.filter(pk=award_id).values_list(
        "learner_id", flat=True
    ):
        learning.bump_learner(learner_id)  # sent after commit already


def _fact(sender, *, learner_id: int, **kwargs) -> None:
    learning.bump_learner(learner_id)  # sent after commit already


def _fact_of_user(sender, *, user_id: int, **kwargs) -> None:
    learning.bump_learner(user_id)  # sent after commit already


def connect() -> None:
    for label, field in LEARNER_ROWS.items():
        model = apps.get_model(label)
        receiver = partial(_learner_changed, field=field)
        for signal in (post_save, post_delete):
            signal.connect(receiver, sender=model, weak=False)
    for label in SHARED_ROWS:
        model = apps.get_model(label)
        for signal in (post_save, post_delete):
            signal.connect(_shared_changed, sender=model, weak=False)
    # The unread count and whether votes can be due (home/learning.person_facts).
    for label in PERSON_ROWS:
        model = apps.get_model(label)
        for signal in (post_save, post_delete):
            signal.connect(_person_changed, sender=model, weak=False)
    notification_signals.all_read.connect(
        _all_read, weak=False, dispatch_uid="home.learning.all_read"
    )
    # Roles a single sign-in granted in one statement (the navigation's
    # memberships are kept with the learner's version).
    account_signals.memberships_granted.connect(
        _fact_of_user, weak=False, dispatch_uid="home.learning.memberships_granted"
    )
    for name in AWARD_FACTS:
        getattr(credential_signals, name).connect(
            _award_fact, weak=False, dispatch_uid=f"home.learning.{name}"
        )
    for module in (assessment_signals, pathway_signals):
        for name in FACTS.get(module.__name__, ()):
            getattr(module, name).connect(
                _fact, weak=False, dispatch_uid=f"home.learning.{name}"
            )
