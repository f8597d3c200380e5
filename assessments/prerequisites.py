"""Prerequisites that hold wherever work on a module starts: a draft, a
submission, a recognition decision.

What a module's prerequisite is, and whether a learner meets it, is the
stacking engine's business (pathways, an app above this one). Pathways
registers its check here from its AppConfig.ready(), as credentials registers
its proof verifier with badgefiles, so that assessments asks without importing
pathways.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError

from curriculum.models import ModuleVersion


@dataclass(frozen=True)
class Locked:
    """A module the learner may not start yet, and what would open it."""

    module: str  # "A-101 Spreadsheets"
    prerequisite: str  # the rule in words
    missing: tuple[str, ...]  # what is still needed, each in words
    organization: str

    def _missing(self) -> str:
        return "; ".join(self.missing) or self.prerequisite

    def for_learner(self) -> str:
        return (
            f"{self.module} is locked until its prerequisite is met: "
            f"{self.prerequisite}. Still needed: {self._missing()}. Complete "
            f"{'it' if len(self.missing) <= 1 else 'them'} first. If you already "
            f"have this learning, ask faculty or an administrator of "
            f"{self.organization} to recognise it or to waive the prerequisite "
            "for you."
        )

    def for_staff(self) -> str:
        return (
            f"The learner has not met the prerequisite of {self.module} "
            f"({self.prerequisite}); still needed: {self._missing()}. Record "
            "those first, or waive the prerequisite for this learner, with the "
            "reason, on the module's “Waive the prerequisite” page."
        )


# (learner, module version) -> Locked while the learner may not start it, None
# when nothing stands in the way (the prerequisite is met, there is none, or
# staff waived it for the learner).
PrerequisiteCheck = Callable[[AbstractBaseUser, ModuleVersion], Locked | None]

_checks: list[PrerequisiteCheck] = []


def register_prerequisite_check(check: PrerequisiteCheck) -> None:
    if check not in _checks:
        _checks.append(check)


def unregister_prerequisite_check(check: PrerequisiteCheck) -> None:
    if check in _checks:
        _checks.remove(check)


def locked(learner: AbstractBaseUser, version: ModuleVersion) -> Locked | None:
    """Why the learner may not start work on this module yet, or None."""
    for check in _checks:
        found = check(learner, version)
        if found is not None:
            return found
    return None


def check_prerequisites(learner: AbstractBaseUser, version: ModuleVersion) -> None:
    """Raise ValidationError (code "prerequisite") while the module is locked."""
    found = locked(learner, version)
    if found is not None:
        raise ValidationError(found.for_learner(), code="prerequisite")
