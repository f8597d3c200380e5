"""The events an organization can subscribe to. Pure: no ORM.

A delivery's body is the same for every type::

    {"id": "<event uuid>", "type": "award.issued", "occurred_at": "<ISO 8601>",
     "organization": {"slug": ..., "name": ...}, "data": {...}}

``data`` is shaped by integrations/webhooks/selectors.py, one function per type.
"""

AWARD_ISSUED = "award.issued"
AWARD_REVOKED = "award.revoked"
AWARD_SUSPENDED = "award.suspended"
AWARD_REINSTATED = "award.reinstated"
PATHWAY_COMPLETED = "pathway.completed"
GRADE_RELEASED = "grade.released"
VERSION_PUBLISHED = "version.published"
# Sent only by the "Send a test event" button, to the one subscription.
PING = "webhook.test"

EVENT_TYPES = {
    AWARD_ISSUED: "A credential was issued",
    AWARD_REVOKED: "A credential was revoked",
    AWARD_SUSPENDED: "A credential was suspended",
    AWARD_REINSTATED: "A suspended credential was reinstated",
    PATHWAY_COMPLETED: "A learner completed a pathway",
    GRADE_RELEASED: "A grade was released to a learner",
    VERSION_PUBLISHED: "A module or pathway version was published",
}


def envelope(
    *, event_id: str, type: str, occurred_at: str, organization: dict, data: dict
) -> dict:
    return {
        "id": event_id,
        "type": type,
        "occurred_at": occurred_at,
        "organization": organization,
        "data": data,
    }
