"""Agreement between two graders on ordinal levels. Pure: plain data in and out.

Quadratic-weighted Cohen's kappa (Cohen 1968, "Weighted kappa"): with k ordered
categories, the disagreement weight of levels i and j is (i - j)^2 / (k - 1)^2,
and kappa = 1 - sum(w * observed) / sum(w * expected), where expected counts
come from the product of each grader's marginal totals.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class Agreement:
    pairs: int
    exact: Fraction | None  # share of pairs on the same level
    adjacent: Fraction | None  # share of pairs at most one level apart
    kappa: Fraction | None  # quadratic-weighted; None when undefined

    @property
    def exact_percent(self) -> float | None:
        return None if self.exact is None else round(float(self.exact) * 100, 1)

    @property
    def adjacent_percent(self) -> float | None:
        return None if self.adjacent is None else round(float(self.adjacent) * 100, 1)

    @property
    def kappa_value(self) -> float | None:
        return None if self.kappa is None else round(float(self.kappa), 3)

    @property
    def kappa_bar(self) -> float:
        """Width of the kappa bar in a chart: kappa below 0 draws nothing."""
        return max(0.0, (self.kappa_value or 0.0) * 100)


def quadratic_weighted_kappa(
    pairs: Sequence[tuple[int, int]], categories: int
) -> Fraction | None:
    """Kappa for (level of grader A, level of grader B) pairs, levels 0..k-1.
    None when it is undefined: no pairs, or both graders used one level only."""
    if not pairs or categories < 2:
        return None
    for a, b in pairs:
        if not (0 <= a < categories and 0 <= b < categories):
            raise ValueError(f"Level out of range 0..{categories - 1}: {(a, b)}")
    n = len(pairs)
    observed = [[0] * categories for _ in range(categories)]
    for a, b in pairs:
        observed[a][b] += 1
    rows = [sum(observed[i]) for i in range(categories)]
    cols = [sum(observed[i][j] for i in range(categories)) for j in range(categories)]
    scale = (categories - 1) ** 2
    disagreement_observed = Fraction(0)
    disagreement_expected = Fraction(0)
    for i in range(categories):
        for j in range(categories):
            weight = Fraction((i - j) ** 2, scale)
            disagreement_observed += weight * observed[i][j]
            disagreement_expected += weight * Fraction(rows[i] * cols[j], n)
    if disagreement_expected == 0:
        return None
    return 1 - disagreement_observed / disagreement_expected


def agreement(pairs: Iterable[tuple[int, int]], categories: int) -> Agreement:
    pairs = list(pairs)
    if not pairs:
        return Agreement(0, None, None, None)
    n = len(pairs)
    return Agreement(
        pairs=n,
        exact=Fraction(sum(a == b for a, b in pairs), n),
        adjacent=Fraction(sum(abs(a - b) <= 1 for a, b in pairs), n),
        kappa=quadratic_weighted_kappa(pairs, categories),
    )
