"""Every change to an organization's people, each one audited in the same
transaction. Roles are Membership rows; a deactivated member keeps no row but a
Deactivation holding the roles to restore."""

import re
from datetime import timedelta
from zoneinfo import available_timezones

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email, validate_slug
from django.db import models, transaction
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.audit import audit_entry, log_action, log_actions
from accounts.images import logo_type
from accounts.models import (
    Deactivation,
    Invitation,
    MemberNumber,
    Membership,
    Organization,
)
from accounts.people import tasks
from accounts.people.permissions import can_manage_people, is_site_admin
from accounts.tokens import new_token, token_hash

Role = Membership.Role
INVITATION_DAYS = 14


def _check_manager(by: AbstractBaseUser, organization: Organization) -> None:
    if not can_manage_people(by, organization):
        raise PermissionDenied("Only the organization's admins manage its people.")


def _lock(organization: Organization) -> Organization:
    """Serialize changes to one organization's roles, so that two admins
    removing each other cannot both pass the last-admin check. FOR NO KEY
    UPDATE: rows that refer to the organization (awards, audit entries) are
    still written meanwhile; only the other lockers wait."""
    return Organization.objects.select_for_update(no_key=True).get(pk=organization.pk)


# ------------------------------------------------------------ organizations


@transaction.atomic
def create_organization(
    *,
    by: AbstractBaseUser,
    name: str,
    slug: str,
    url: str = "",
    time_zone: str = "",
    logo: bytes | None = None,
) -> Organization:
    """A new organization, made by a site administrator."""
    if not is_site_admin(by):
        raise PermissionDenied("Only site administrators create organizations.")
    errors: dict[str, str] = {}
    name, slug, url = name.strip(), slug.strip().lower(), url.strip()
    if not name:
        errors["name"] = "Name the organization."
    try:
        validate_slug(slug)
    except ValidationError:
        errors["slug"] = "Use letters, numbers, hyphens and underscores only."
    else:
        if Organization.objects.filter(slug=slug).exists():
            errors["slug"] = f"“{slug}” is taken by another organization."
    time_zone = time_zone.strip()
    if time_zone and time_zone not in available_timezones():
        errors["time_zone"] = (
            f"“{time_zone}” is not a time zone; use an IANA name such as "
            "Europe/Dublin or America/Chicago."
        )
    media_type = ""
    if logo:
        try:
            media_type = logo_type(logo)
        except ValidationError as error:
            errors.update({k: v[0] for k, v in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    organization = Organization(
        name=name,
        slug=slug,
        url=url,
        time_zone=time_zone,
        logo=logo or b"",
        logo_type=media_type,
    )
    organization.full_clean()
    organization.save()
    log_action(
        by,
        "organization.created",
        organization,
        organization=organization,
        name=name,
        slug=slug,
    )
    return organization


# ------------------------------------------------------------- invitations


@transaction.atomic
def invite_member(
    organization: Organization, *, by: AbstractBaseUser, email: str, role: str
) -> tuple[Invitation, str]:
    """Invite someone by e-mail; returns the invitation and its link's token.
    An earlier open invitation to the same address is withdrawn."""
    _check_manager(by, organization)
    email = BaseUserManager.normalize_email(email.strip())
    try:
        validate_email(email)
    except ValidationError as error:
        raise ValidationError({"email": "Enter a valid e-mail address."}) from error
    if role not in Role.values:
        raise ValidationError({"role": "Choose one of the roles."})
    if Membership.objects.filter(
        organization=organization, role=role, user__email__iexact=email
    ).exists():
        raise ValidationError(
            {"email": f"{email} already is {Role(role).label.lower()} here."}
        )
    now = timezone.now()
    Invitation.objects.open().filter(
        organization=organization, email__iexact=email
    ).update(withdrawn_at=now)
    token = new_token()
    invitation = Invitation.objects.create(
        organization=organization,
        email=email,
        role=role,
        token_hash=token_hash(token),
        invited_by=by,
        expires_at=now + timedelta(days=INVITATION_DAYS),
    )
    log_action(
        by,
        "member.invited",
        invitation,
        organization=organization,
        email=email,
        role=role,
    )
    tasks.send_invitation.delay_on_commit(invitation.pk, token)
    return invitation, token


def invitation_url(token: str) -> str:
    return settings.SITE_URL + reverse("accounts:invitation", args=[token])


def send_invitation(invitation: Invitation, token: str) -> None:
    """The invitation e-mail, with the only copy of the link."""
    body = render_to_string(
        "accounts/people/mail/invitation.txt",
        {"invitation": invitation, "url": invitation_url(token)},
    )
    send_mail(
        f"Invitation to {invitation.organization} on Cairn",
        body,
        None,
        [invitation.email],
    )


@transaction.atomic
def withdraw_invitation(invitation: Invitation, *, by: AbstractBaseUser) -> Invitation:
    _check_manager(by, invitation.organization)
    if invitation.accepted_at or invitation.withdrawn_at:
        raise ValidationError("This invitation is already used or withdrawn.")
    invitation.withdrawn_at = timezone.now()
    invitation.save(update_fields=["withdrawn_at"])
    log_action(
        by,
        "member.invitation_withdrawn",
        invitation,
        organization=invitation.organization,
        email=invitation.email,
    )
    return invitation


def invitation_problem(invitation: Invitation) -> str:
    """Why the link no longer works, in words; "" while it does."""
    if invitation.accepted_at:
        return "This invitation has been used already; each link works once."
    if invitation.withdrawn_at:
        return "This invitation was withdrawn. Ask the organization for a new one."
    if invitation.is_expired:
        return "This invitation has expired. Ask the organization for a new one."
    return ""


@transaction.atomic
def accept_invitation(token: str, *, user: AbstractBaseUser) -> Membership:
    """The signed-in user joins with the invited role; the link is spent."""
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("organization")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if invitation is None:
        raise ValidationError("This invitation link is not valid.")
    if problem := invitation_problem(invitation):
        raise ValidationError(problem)
    organization = _lock(invitation.organization)
    # An admin's new invitation is how a deactivated member comes back.
    Deactivation.objects.filter(organization=organization, user=user).delete()
    membership, _ = Membership.objects.get_or_create(
        organization=organization, user=user, role=invitation.role
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    log_action(
        user,
        "member.joined",
        membership,
        organization=organization,
        member=user.pk,
        role=invitation.role,
        invitation=invitation.pk,
    )
    return membership


@transaction.atomic
def register_and_accept(
    token: str, *, username: str, first_name: str, last_name: str, password: str
) -> AbstractBaseUser:
    """A new account for the invited address, which then accepts. The password
    is checked by the form (Django's validators) before this is called."""
    invitation = Invitation.objects.filter(token_hash=token_hash(token)).first()
    if invitation is None:
        raise ValidationError("This invitation link is not valid.")
    if problem := invitation_problem(invitation):
        raise ValidationError(problem)
    users = get_user_model().objects
    if users.filter(email__iexact=invitation.email).exists():
        raise ValidationError(
            f"An account with {invitation.email} exists: sign in to accept."
        )
    if users.filter(username__iexact=username).exists():
        raise ValidationError({"username": "That username is taken."})
    user = users.create_user(
        username=username,
        email=invitation.email,
        password=password,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
    )
    accept_invitation(token, user=user)
    return user


# ------------------------------------------------------------------- roles


def _roles_of(organization: Organization, user: AbstractBaseUser) -> set[str]:
    return set(
        Membership.objects.filter(organization=organization, user=user).values_list(
            "role", flat=True
        )
    )


def _check_not_last_admin(organization: Organization, user: AbstractBaseUser) -> None:
    others = (
        Membership.objects.filter(organization=organization, role=Role.ADMIN)
        .exclude(user=user)
        .exists()
    )
    if not others:
        raise ValidationError(
            f"{user.get_username()} is the last admin of {organization}: make "
            "someone else admin first."
        )


@transaction.atomic
def grant_role(
    organization: Organization,
    *,
    by: AbstractBaseUser,
    user: AbstractBaseUser,
    role: str,
) -> Membership:
    """Give a member another role; granting admin delegates administration."""
    _check_manager(by, organization)
    organization = _lock(organization)
    if role not in Role.values:
        raise ValidationError({"role": "Choose one of the roles."})
    roles = _roles_of(organization, user)
    if not roles:
        raise ValidationError(
            f"{user.get_username()} is not a member here: invite them instead."
        )
    if role in roles:
        raise ValidationError(
            f"{user.get_username()} already is {Role(role).label.lower()}."
        )
    membership = Membership.objects.create(
        organization=organization, user=user, role=role
    )
    log_action(
        by,
        "member.role_granted",
        membership,
        organization=organization,
        member=user.pk,
        role=role,
    )
    return membership


@transaction.atomic
def withdraw_role(
    organization: Organization,
    *,
    by: AbstractBaseUser,
    user: AbstractBaseUser,
    role: str,
) -> None:
    """Take one role away; the last admin keeps theirs, and a member keeps at
    least one role (deactivate them to remove them)."""
    _check_manager(by, organization)
    organization = _lock(organization)
    roles = _roles_of(organization, user)
    if role not in roles:
        raise ValidationError(f"{user.get_username()} does not hold that role.")
    if role == Role.ADMIN:
        _check_not_last_admin(organization, user)
    if roles == {role}:
        raise ValidationError(
            "That is their only role: deactivate the member to remove them."
        )
    Membership.objects.filter(organization=organization, user=user, role=role).delete()
    log_action(
        by,
        "member.role_withdrawn",
        organization,
        organization=organization,
        member=user.pk,
        role=role,
    )


@transaction.atomic
def deactivate_member(
    organization: Organization, *, by: AbstractBaseUser, user: AbstractBaseUser
) -> Deactivation:
    """Remove the member's access to the organization. What they submitted,
    earned and were issued stays, and so does their account."""
    _check_manager(by, organization)
    organization = _lock(organization)
    roles = _roles_of(organization, user)
    if not roles:
        raise ValidationError(f"{user.get_username()} is not a member here.")
    if Role.ADMIN in roles:
        _check_not_last_admin(organization, user)
    Membership.objects.filter(organization=organization, user=user).delete()
    deactivation = Deactivation.objects.create(
        organization=organization,
        user=user,
        roles=sorted(roles),
        deactivated_at=timezone.now(),
        deactivated_by=by,
    )
    log_action(
        by,
        "member.deactivated",
        deactivation,
        organization=organization,
        member=user.pk,
        roles=sorted(roles),
    )
    return deactivation


@transaction.atomic
def reactivate_member(
    organization: Organization, *, by: AbstractBaseUser, user: AbstractBaseUser
) -> list[Membership]:
    """Give a deactivated member their roles back."""
    _check_manager(by, organization)
    organization = _lock(organization)
    deactivation = Deactivation.objects.filter(
        organization=organization, user=user
    ).first()
    if deactivation is None:
        raise ValidationError(f"{user.get_username()} is not deactivated here.")
    memberships = [
        Membership.objects.get_or_create(
            organization=organization, user=user, role=role
        )[0]
        for role in deactivation.roles
    ]
    deactivation.delete()
    log_action(
        by,
        "member.reactivated",
        organization,
        organization=organization,
        member=user.pk,
        roles=deactivation.roles,
    )
    return memberships


# ------------------------------------------------------------------ rosters

ROSTER_BATCH = 1000  # rows per bulk insert and per progress report


def _usernames(rows, taken_check) -> dict[int, str]:
    """A new username per line from the e-mail's local part, unique among
    existing accounts and within the file ("sam.lee", "sam.lee-2", ...)."""
    wanted = {
        row.line: (re.sub(r"[^\w.@+-]", "", row.email.split("@")[0]) or "member")[:140]
        for row in rows
    }
    taken = taken_check(set(wanted.values()))
    names: dict[int, str] = {}
    for line, base in wanted.items():
        name, n = base, 1
        while name.lower() in taken:
            n += 1
            name = f"{base}-{n}"
        taken.add(name.lower())
        names[line] = name
    return names


def provision_roster_people(
    organization: Organization,
    *,
    by: AbstractBaseUser,
    rows,
    matches,
    source: models.Model,
    progress=None,
) -> dict[int, AbstractBaseUser]:
    """The people half of a roster import, inside the caller's transaction:
    accounts for new people (no usable password: they sign in through single
    sign-on or set one by e-mail), the rows' roles, student or staff numbers,
    and names where an account had none. Returns each line's user. Rows
    already in place change nothing, so a second import of a file is a no-op."""
    User = get_user_model()
    users = dict(matches.users)
    new_rows = [row for row in rows if row.line not in users]

    def taken(candidates: set[str]) -> set[str]:
        found: set[str] = set()
        listed = sorted(candidates)
        for start in range(0, len(listed), ROSTER_BATCH * 5):
            found.update(
                name.lower()
                for name in User.objects.annotate(key=Lower("username"))
                .filter(
                    key__in=[
                        c.lower() for c in listed[start : start + ROSTER_BATCH * 5]
                    ]
                )
                .values_list("username", flat=True)
            )
        return found

    names = _usernames(new_rows, taken)
    unusable = make_password(None)  # one hash for all: none can be used to sign in
    now = timezone.now()
    entries = []
    done = 0
    for start in range(0, len(new_rows), ROSTER_BATCH):
        batch = new_rows[start : start + ROSTER_BATCH]
        created = User.objects.bulk_create(
            [
                User(
                    username=names[row.line],
                    email=row.email,
                    first_name=row.given_name,
                    last_name=row.family_name,
                    password=unusable,
                    date_joined=now,
                )
                for row in batch
            ]
        )
        users.update({row.line: user for row, user in zip(batch, created, strict=True)})
        done += len(batch)
        if progress:
            progress(done)
    renamed = []
    for row in rows:
        user = users[row.line]
        unnamed = not (user.first_name or user.last_name)
        if (
            row.line in matches.users
            and unnamed
            and (row.given_name or row.family_name)
        ):
            user.first_name, user.last_name = row.given_name, row.family_name
            renamed.append(user)
    User.objects.bulk_update(renamed, ["first_name", "last_name"], batch_size=1000)
    memberships = []
    for row in rows:
        user = users[row.line]
        if row.role not in matches.roles.get(user.pk, set()):
            memberships.append(
                Membership(organization=organization, user=user, role=row.role)
            )
    Membership.objects.bulk_create(memberships, batch_size=ROSTER_BATCH)
    entries += [
        audit_entry(
            by,
            "member.added",
            membership,
            organization=organization,
            member=membership.user_id,
            role=membership.role,
            roster=source.pk,
        )
        for membership in memberships
    ]
    numbered = set(
        MemberNumber.objects.filter(
            organization=organization,
            user_id__in=[users[row.line].pk for row in rows if row.number],
        ).values_list("user_id", flat=True)
    )
    MemberNumber.objects.bulk_create(
        [
            MemberNumber(
                organization=organization, user=users[row.line], number=row.number
            )
            for row in rows
            if row.number and users[row.line].pk not in numbered
        ],
        batch_size=ROSTER_BATCH,
    )
    log_actions(entries)
    return users
