import pytest

from reviews import quorum
from reviews.models import AdvisoryBoard

A, C, R = quorum.APPROVE, quorum.REQUEST_CHANGES, quorum.REJECT
TWO_OF_THREE = quorum.Policy(approvals_needed=2, rejections_allowed=0)


@pytest.mark.parametrize(
    ("votes", "seated", "conflicted", "policy", "decision"),
    [
        ([], 3, 0, TWO_OF_THREE, quorum.PENDING),
        ([A], 3, 0, TWO_OF_THREE, quorum.PENDING),
        ([A, A], 3, 0, TWO_OF_THREE, quorum.APPROVED),
        ([A, A, A], 3, 0, TWO_OF_THREE, quorum.APPROVED),
        ([A, R], 3, 0, TWO_OF_THREE, quorum.REJECTED),
        ([R], 3, 0, TWO_OF_THREE, quorum.REJECTED),
        ([A, C], 3, 0, TWO_OF_THREE, quorum.CHANGES_REQUESTED),
        ([C, R], 3, 0, TWO_OF_THREE, quorum.REJECTED),
        # A conflict removes a voter: 2 of the 2 left must approve.
        ([A], 3, 1, TWO_OF_THREE, quorum.PENDING),
        ([A, A], 3, 1, TWO_OF_THREE, quorum.APPROVED),
        # Two conflicts leave one voter: 2 approvals can never come.
        ([], 3, 2, TWO_OF_THREE, quorum.STALLED),
        ([A], 3, 2, TWO_OF_THREE, quorum.STALLED),
        # One rejection tolerated.
        ([R], 3, 0, quorum.Policy(2, 1), quorum.PENDING),
        ([R, A, A], 3, 0, quorum.Policy(2, 1), quorum.APPROVED),
        ([R, R], 3, 0, quorum.Policy(2, 1), quorum.REJECTED),
        ([R, A], 3, 0, quorum.Policy(2, 1), quorum.PENDING),
        # 3 of 5.
        ([A, A], 5, 0, quorum.Policy(3), quorum.PENDING),
        ([A, A, A], 5, 0, quorum.Policy(3), quorum.APPROVED),
        ([A, A], 5, 2, quorum.Policy(3), quorum.PENDING),
        ([A, A], 5, 3, quorum.Policy(3), quorum.STALLED),
    ],
)
def test_quorum_arithmetic(votes, seated, conflicted, policy, decision):
    tally = quorum.tally(votes, seated=seated, conflicted=conflicted)
    assert quorum.decide(tally, policy) == decision


def test_the_tally_counts_and_describes_votes():
    tally = quorum.tally([A, A, C], seated=5, conflicted=1)
    assert (tally.approvals, tally.changes, tally.rejections) == (2, 1, 0)
    assert (tally.eligible, tally.not_voted) == (4, 1)
    assert tally.describe(TWO_OF_THREE) == (
        "2 of 2 approvals needed, 1 requests for changes, 0 rejections, "
        "1 recused for a conflict of interest"
    )


@pytest.mark.parametrize(
    ("votes", "seated", "conflicted", "message"),
    [
        (["maybe"], 3, 0, "Unknown vote 'maybe'"),
        ([A, A, A], 3, 1, "3 votes but only 2 voters"),
    ],
)
def test_an_impossible_tally_is_refused(votes, seated, conflicted, message):
    with pytest.raises(ValueError, match=message):
        quorum.tally(votes, seated=seated, conflicted=conflicted)


@pytest.mark.parametrize(
    ("approvals", "rejections", "text"),
    [
        (1, 0, "1 approval, no rejection"),
        (2, 1, "2 approvals, at most 1 rejection"),
        (3, 2, "3 approvals, at most 2 rejections"),
    ],
)
def test_the_quorum_reads_as_english(approvals, rejections, text):
    board = AdvisoryBoard(approvals_needed=approvals, rejections_allowed=rejections)
    assert board.policy_text == text
