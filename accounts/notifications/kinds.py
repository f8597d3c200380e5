"""The events people are told about, and which e-mail choice each falls under
(AccountPreferences.email_on_<topic>). Pure: no ORM."""

KINDS: dict[str, str] = {
    "grade.released": "grades",
    "recognition.decided": "grades",
    "credential.issued": "credentials",
    "credential.reissued": "credentials",
    "credential.revoked": "credentials",
    "credential.suspended": "credentials",
    "credential.reinstated": "credentials",
    "credential.expiring": "credentials",
    "work.assigned": "work",
    "work.overdue": "work",
    "review.requested": "reviews",
    "review.vote_due": "reviews",
    "review.decided": "reviews",
    "review.vote_cast": "reviews",
}


def topic_of(kind: str) -> str:
    try:
        return KINDS[kind]
    except KeyError:
        raise ValueError(f"Unknown kind of notification {kind!r}.") from None
