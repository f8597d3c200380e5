"""Reads for the Open Badges 3.0 API and the connected-apps page."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import CharField, F, QuerySet, Value

from credentials.models import Award
from integrations.models import AppAuthorization, PushedCredential
from integrations.ob3 import documents


@dataclass(frozen=True)
class CredentialPage:
    total: int
    credentials: list[dict[str, Any]]  # Data Integrity (or unsigned) JSON
    compact_jws: list[str]  # those that came as VC-JWTs


def learner_credentials(
    learner, *, limit: int, offset: int, since: datetime | None = None
) -> CredentialPage:
    """One page of the person's credentials, oldest first (so that a host
    paging through them while one is issued misses none): the awards Cairn
    issued them that stand (not revoked), and those hosts stored for them."""
    awards = Award.objects.filter(learner=learner, revoked_at__isnull=True)
    pushed = PushedCredential.objects.filter(learner=learner)
    if since is not None:
        awards = awards.filter(issued_at__gt=since)
        pushed = pushed.filter(issued_at__gt=since)
    text = CharField()
    keys = (
        awards.annotate(at=F("issued_at"), source=Value("award", output_field=text))
        .values_list("at", "source", "pk")
        .union(
            pushed.annotate(
                at=F("issued_at"), source=Value("pushed", output_field=text)
            ).values_list("at", "source", "pk"),
            all=True,
        )
        .order_by("at", "source", "pk")[offset : offset + limit]
    )
    keys = list(keys)
    by_kind = {
        "award": Award.objects.in_bulk([pk for _, k, pk in keys if k == "award"]),
        "pushed": PushedCredential.objects.in_bulk(
            [pk for _, k, pk in keys if k == "pushed"]
        ),
    }
    credentials, compact = [], []
    for _, k, pk in keys:
        item = by_kind[k][pk]
        if k == "pushed" and item.jwt:
            compact.append(item.jwt)
        else:
            credentials.append(documents.strict_json(item.credential))
    return CredentialPage(awards.count() + pushed.count(), credentials, compact)


def connected_apps(user) -> QuerySet[AppAuthorization]:
    """The apps a person allowed, newest first, with what each registered."""
    return (
        AppAuthorization.objects.filter(user=user)
        .select_related("application", "application__ob3_host")
        .order_by("-authorized_at", "-pk")
    )


def pushed_credentials(user) -> QuerySet[PushedCredential]:
    """What apps stored for the person, newest first."""
    return (
        PushedCredential.objects.filter(learner=user)
        .select_related("pushed_by")
        .order_by("-updated_at", "-pk")
    )
