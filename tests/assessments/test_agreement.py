"""Agreement statistics, checked against published examples."""

from fractions import Fraction

import pytest

from assessments.agreement import agreement, quadratic_weighted_kappa


def test_kappa_matches_the_published_maple_essaytools_examples():
    """Maple's EssayTools[QuadraticWeightedKappa] help page (Maplesoft, "Quadratic
    Weighted Kappa") gives two examples on a 1..10 score range:
    [9,7,8,7,6,8,3,5,10] vs [8,8,6,6,7,6,1,4,8] -> 0.758620689655172, and
    [9,7,8,7,6,8,3,5,10] vs [3,5,6,6,7,6,1,4,8] -> 0.438095238095238.

    By hand, the first: scores minus their mean disagreement. With k = 10
    categories the weight is (i-j)^2/81; the 81 cancels in the ratio, so
    kappa = 1 - n*sum((a-b)^2) / sum_i sum_j (a_i - b_j)^2.
    sum((a-b)^2) = 1+1+4+1+1+4+4+1+4 = 21; n = 9, so the numerator is 189.
    sum over all 81 (a_i, b_j) of (a_i - b_j)^2
      = 9*sum(a^2) + 9*sum(b^2) - 2*sum(a)*sum(b)
      = 9*477 + 9*371 - 2*63*54 = 4293 + 3339 - 6804 = 828.
    kappa = 1 - 189/828 = 639/828 = 22/29 = 0.758620689655172…
    The second the same way: sum((a-c)^2) = 36+4+4+1+1+4+4+1+4 = 59,
    9*59 = 531; 9*477 + 9*292 - 2*63*46 = 4293 + 2628 - 5796 = 1125;
    1 - 531/1125 = 594/1125 = 46/105 = 0.438095238095238…"""
    a = [9, 7, 8, 7, 6, 8, 3, 5, 10]
    b = [8, 8, 6, 6, 7, 6, 1, 4, 8]
    c = [3, 5, 6, 6, 7, 6, 1, 4, 8]
    first = quadratic_weighted_kappa(
        [(x - 1, y - 1) for x, y in zip(a, b, strict=True)], 10
    )
    second = quadratic_weighted_kappa(
        [(x - 1, y - 1) for x, y in zip(a, c, strict=True)], 10
    )
    assert first == Fraction(22, 29)
    assert float(first) == pytest.approx(0.758620689655172)
    assert second == Fraction(46, 105)
    assert float(second) == pytest.approx(0.438095238095238)


def test_two_levels_give_cohens_kappa_of_the_wikipedia_example():
    """Wikipedia, "Cohen's kappa", first worked example: 50 proposals, both
    readers yes 20, both no 15, A yes B no 5, A no B yes 10; p_o = 0.7,
    p_e = 0.5*0.6 + 0.5*0.4 = 0.5, kappa = (0.7-0.5)/(1-0.5) = 0.4. With two
    levels the quadratic weights are 0 and 1, so weighted kappa is Cohen's."""
    pairs = [(1, 1)] * 20 + [(1, 0)] * 5 + [(0, 1)] * 10 + [(0, 0)] * 15
    assert quadratic_weighted_kappa(pairs, 2) == Fraction(2, 5)


def test_perfect_agreement_is_one_and_reversal_is_negative():
    assert quadratic_weighted_kappa([(0, 0), (1, 1), (2, 2)], 3) == 1
    assert quadratic_weighted_kappa([(0, 2), (1, 1), (2, 0)], 3) < 0


@pytest.mark.parametrize(
    "pairs",
    [[], [(1, 1), (1, 1)]],  # no pairs; both graders on one level only
)
def test_kappa_is_undefined_without_variation(pairs):
    assert quadratic_weighted_kappa(pairs, 4) is None


def test_a_level_outside_the_scale_is_refused():
    with pytest.raises(ValueError, match="out of range"):
        quadratic_weighted_kappa([(0, 4)], 4)


def test_exact_and_adjacent_agreement_count_pairs():
    result = agreement([(0, 0), (1, 2), (3, 1), (2, 2)], 4)
    assert result.pairs == 4
    assert result.exact == Fraction(2, 4)
    assert result.adjacent == Fraction(3, 4)
    assert result.exact_percent == 50.0
    assert result.adjacent_percent == 75.0
