"""Verdicts on what only an outside issuer's site could confirm: Open Badges
2.0, 1.0 and 0.5 assertions (hosted, or signed with a key published there), and
1EdTech revocation lists. Cairn fetches none of them; an administrator may pin a
revocation list in CAIRN_ISSUER_DOCUMENTS, and then it is read."""

from datetime import UTC, datetime
from typing import Any

from assessments import badgefiles
from credentials import dataintegrity, pinned
from credentials.services.verdicts import Check, Verification
from credentials.services.verdicts import on_day as _on


def other_status_entries(credential: dict[str, Any]) -> list[dict[str, Any]]:
    """Status entries other than Bitstring Status List ones."""
    status = credential.get("credentialStatus")
    items = status if isinstance(status, list) else [status]
    return [
        item
        for item in items
        if isinstance(item, dict) and item.get("type") != "BitstringStatusListEntry"
    ]


def other_status(
    entry: dict[str, Any], credential: dict[str, Any]
) -> tuple[bool | None, str]:
    """(revoked, in words) for a 1EdTech revocation list entry, read from the list
    if an administrator pinned it (CAIRN_ISSUER_DOCUMENTS); None if not known."""
    url, kind = entry.get("id"), entry.get("type")
    if kind != "1EdTechRevocationList":
        return None, f"Its status entry of type {kind!r} cannot be checked here."
    listed = pinned.documents().get(url) if isinstance(url, str) else None
    if listed is None:
        return None, (
            f"It names a 1EdTech revocation list at {url}, which Cairn does not "
            "fetch: whether it has been revoked is not known."
        )
    revoked = listed.get("revokedCredentials") or listed.get("revokedAssertions") or []
    for item in revoked if isinstance(revoked, list) else []:
        item_id = item.get("id") if isinstance(item, dict) else item
        if item_id == credential.get("id"):
            reason = item.get("revocationReason") if isinstance(item, dict) else ""
            return True, (
                f"The issuer's revocation list ({url}) names it as revoked"
                + (f": {reason}" if reason else ".")
            )
    return False, (
        f"The issuer's revocation list ({url}), as pinned here, does not name it "
        "as revoked."
    )


_VERSIONS = {
    "ob2": "Open Badges 2.0",
    "ob1": "Open Badges 1.0",
    "ob0.5": "Open Badges 0.5",
}


def verify_hosted_badge(document: dict[str, Any], now: datetime) -> Verification:
    """An Open Badges 2.0, 1.0 or 0.5 assertion. Each is genuine only as its
    issuer's site says (a hosted assertion at its URL, or a signature whose key is
    published there), and Cairn fetches nothing: so the signature and issuer are
    "not checked", with where they would be checked; dates and shape are."""
    fmt = badgefiles.format_of(document)
    version = _VERSIONS[fmt]
    verification = document.get("verification") or document.get("verify") or {}
    kind = verification.get("type") if isinstance(verification, dict) else None
    if fmt == "ob0.5":
        issuer = document.get("badge", {}).get("issuer") or {}
        place = issuer.get("origin") if isinstance(issuer, dict) else None
        says = (
            f"Not checked: an {version} assertion carries no signature; it is "
            f"genuine only if its issuer's site ({place or 'not named'}) still "
            "serves it, which Cairn does not fetch."
        )
    elif kind in ("signed", "SignedBadge"):
        creator = verification.get("creator") or verification.get("url")
        says = (
            f"Not checked: it is a signed {version} assertion whose key is "
            f"published at {creator or 'an address it does not name'}, which Cairn "
            "does not fetch."
        )
    else:
        url = document.get("id") or (
            verification.get("url") if isinstance(verification, dict) else None
        )
        says = (
            f"Not checked: a hosted {version} assertion is genuine only if its "
            f"issuer's site still serves it at {url or 'its URL'}, which Cairn does "
            "not fetch."
        )
    checks = [Check("signature", False, says)]
    try:
        summary = badgefiles.summarize(document)
        shape_error = ""
    except badgefiles.BadgeFileError as error:
        summary, shape_error = None, str(error)
    who = (summary.issuer_name or summary.issuer_id) if summary else ""
    checks.append(
        Check(
            "issuer",
            False,
            f"The issuer {who or '(not in the file)'} cannot be confirmed without "
            "its hosted profile.",
        )
    )
    checks.append(
        Check(
            "status",
            False,
            "Whether it has been revoked is known only to the issuer's site.",
        )
    )
    issued = badge_date(summary.issued_on if summary else "")
    expires = badge_date(summary.valid_until if summary else "")
    expired = bool(expires and expires <= now)
    if expired:
        dates = f"It expired on {_on(expires)}."
    elif issued and expires:
        dates = f"It was issued on {_on(issued)} and is valid until {_on(expires)}."
    elif issued:
        dates = f"It was issued on {_on(issued)} and does not expire."
    else:
        dates = "It has no readable issue date."
    checks.append(Check("dates", bool(issued) and not expired, dates))
    checks.append(
        Check(
            "schema",
            not shape_error,
            f"It has the shape of an {version} assertion."
            if not shape_error
            else f"It is not a complete {version} assertion: {shape_error}",
        )
    )
    if shape_error:
        verdict = ("invalid", f"Not valid: it is not a complete {version} assertion.")
    elif expired:
        verdict = ("expired", "Expired: this credential is past its end date.")
    else:
        verdict = (
            "not-checked",
            f"Not checked: an {version} assertion is confirmed only by its issuer's "
            "site, which Cairn does not fetch.",
        )
    return Verification(verdict[0], verdict[1], tuple(checks))


def badge_date(value: str) -> datetime | None:
    """An Open Badges date: ISO 8601 with a zone, a plain date (0.5), or Unix
    seconds (1.0), as an aware datetime."""
    if not value:
        return None
    if value.isdigit():
        return datetime.fromtimestamp(int(value), tz=UTC)
    parsed = dataintegrity.parse_datetime(value)
    if parsed is None:
        try:
            parsed = datetime.fromisoformat(value[:10]).replace(tzinfo=UTC)
        except ValueError:
            return None
    return parsed


def verify_hosted_link(url: str) -> Verification:
    """A badge that holds only the URL of its hosted assertion: not checked."""
    says = (
        f"Not checked: the badge holds only a link to a hosted assertion ({url}), "
        "which Cairn does not fetch."
    )
    return Verification(
        "not-checked",
        "Not checked: the assertion is hosted on its issuer's site, which Cairn "
        "does not fetch.",
        (
            Check("signature", False, says),
            Check("issuer", False, "The issuer is named only in the hosted assertion."),
            Check("schema", False, "The assertion itself is not in the file."),
        ),
    )
