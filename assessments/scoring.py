"""A rubric's pass policy as a pure function of the chosen levels."""

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Chosen:
    criterion: str
    position: int  # 0 is the lowest level
    points: int
    min_level: int | None = None  # this criterion's own minimum, if named


@dataclass(frozen=True)
class Verdict:
    total: int
    passed: bool
    reasons: tuple[str, ...]  # why it did not pass; empty on a pass


def judge(
    chosen: Sequence[Chosen], *, min_total: int | None, min_level: int | None
) -> Verdict:
    """Pass when every part of the policy holds: the minimum total, the minimum
    level on every criterion, and each named criterion's own minimum."""
    total = sum(c.points for c in chosen)
    reasons = []
    if min_total is not None and total < min_total:
        reasons.append(f"{total} points; a pass needs {min_total}.")
    for c in chosen:
        floor = max(
            (m for m in (min_level, c.min_level) if m is not None), default=None
        )
        if floor is not None and c.position < floor:
            reasons.append(f"“{c.criterion}” needs at least level {floor + 1}.")
    return Verdict(total=total, passed=not reasons, reasons=tuple(reasons))
