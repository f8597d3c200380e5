"""Quorum arithmetic: pure, from the votes and the board's policy to a decision.

A declared conflict of interest removes a member from the quorum: they cannot
vote and do not count as eligible. A round is decided as soon as its outcome is
certain: a rejection beyond the policy's allowance rejects; a request for changes
sends the version back to its designer; enough approvals approve it. When the
members still able to approve are too few, the round is stalled and an
administrator must withdraw it or seat more members.
"""

from collections.abc import Iterable
from dataclasses import dataclass

APPROVE, REQUEST_CHANGES, REJECT = "approve", "request_changes", "reject"
PENDING, APPROVED, CHANGES_REQUESTED, REJECTED, STALLED = (
    "pending",
    "approved",
    "changes_requested",
    "rejected",
    "stalled",
)


@dataclass(frozen=True)
class Policy:
    approvals_needed: int
    rejections_allowed: int = 0


@dataclass(frozen=True)
class Tally:
    approvals: int
    changes: int
    rejections: int
    eligible: int  # seated members without a declared conflict
    conflicted: int

    @property
    def not_voted(self) -> int:
        return self.eligible - self.approvals - self.changes - self.rejections

    def describe(self, policy: Policy) -> str:
        text = (
            f"{self.approvals} of {policy.approvals_needed} approvals needed, "
            f"{self.changes} requests for changes, {self.rejections} rejections"
        )
        if self.conflicted:
            text += f", {self.conflicted} recused for a conflict of interest"
        return text


def tally(decisions: Iterable[str], *, seated: int, conflicted: int) -> Tally:
    decisions = list(decisions)
    unknown = set(decisions) - {APPROVE, REQUEST_CHANGES, REJECT}
    if unknown:
        raise ValueError(f"Unknown vote {sorted(unknown)[0]!r}.")
    eligible = seated - conflicted
    if len(decisions) > eligible:
        raise ValueError(f"{len(decisions)} votes but only {eligible} voters.")
    return Tally(
        approvals=decisions.count(APPROVE),
        changes=decisions.count(REQUEST_CHANGES),
        rejections=decisions.count(REJECT),
        eligible=eligible,
        conflicted=conflicted,
    )


def decide(votes: Tally, policy: Policy) -> str:
    if votes.rejections > policy.rejections_allowed:
        return REJECTED
    if votes.changes:
        return CHANGES_REQUESTED
    if votes.approvals >= policy.approvals_needed:
        return APPROVED
    if votes.approvals + votes.not_voted < policy.approvals_needed:
        return STALLED
    return PENDING
