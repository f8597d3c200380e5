"""What a validated launch does in Cairn: link the platform's user to an
account (by the platform's user id, then by verified e-mail where the
organization allows it, else a new learner account), give them a role in the
organization, and record the course and the link they came from."""

import hashlib

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.audit import log_action
from accounts.models import Membership
from curriculum import services as curriculum
from curriculum.models import Module, ModuleVersion
from integrations.models import (
    LtiContext,
    LtiIdentity,
    LtiMember,
    LtiPlatform,
    LtiResourceLink,
)
from pathways.models import Pathway, PathwayVersion

Role = Membership.Role
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
DEEP_LINKING_CLAIM = (
    "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
)
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
# Course roles that teach (LTI 1.3 core §A.2.3), and the institution's admins.
TEACHING_ROLES = (
    "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor",
    "http://purl.imsglobal.org/vocab/lis/v2/membership#Administrator",
    "http://purl.imsglobal.org/vocab/lis/v2/membership#ContentDeveloper",
    "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator",
)


def is_teaching(roles: list[str]) -> bool:
    return any(role in TEACHING_ROLES for role in roles)


def _username(platform: LtiPlatform, subject: str) -> str:
    digest = hashlib.sha256(f"{platform.pk}:{subject}".encode()).hexdigest()
    return f"lti-{digest[:20]}"


def _verified_user(email: str) -> AbstractBaseUser | None:
    owners = list(
        EmailAddress.objects.filter(email__iexact=email, verified=True)
        .select_related("user")
        .values_list("user", flat=True)
        .distinct()[:2]
    )
    # Two accounts claiming one address: link neither.
    if len(owners) != 1:
        return None
    return get_user_model().objects.get(pk=owners[0])


def _names(name: str, given_name: str, family_name: str) -> dict[str, str]:
    # A platform may send only the full name (`name`).
    return {
        "first_name": (given_name or ("" if family_name else name))[:150],
        "last_name": family_name[:150],
    }


def _refresh(
    platform: LtiPlatform, identity: LtiIdentity, email: str, name: str, names: dict
) -> None:
    """A name corrected in the platform reaches Cairn (and the certificates it
    prints) at the next launch or roster read, as a sign-in through the
    college's identity provider does. Only the names of an account the
    platform's link made are the platform's to change: an account linked by
    its e-mail address keeps its own."""
    seen = {"email": email, "name": name[:255]}
    changed = [k for k, v in seen.items() if v and getattr(identity, k) != v]
    if changed:
        for field in changed:
            setattr(identity, field, seen[field])
        identity.save(update_fields=changed)
    user = identity.user
    if user.get_username() != _username(platform, identity.subject):
        return
    if not any(names.values()):
        return  # the platform sent no name this time: keep the one known
    renamed = [k for k, v in names.items() if getattr(user, k) != v]
    if renamed:
        for field in renamed:
            setattr(user, field, names[field])
        user.save(update_fields=renamed)


def link_identity(
    platform: LtiPlatform,
    *,
    subject: str,
    email: str = "",
    name: str = "",
    given_name: str = "",
    family_name: str = "",
) -> LtiIdentity:
    """The account behind a platform's user id, linked or made once; its
    names kept to what the platform says now (_refresh)."""
    identity = (
        LtiIdentity.objects.select_related("user")
        .filter(platform=platform, subject=subject)
        .first()
    )
    if identity is not None:
        _refresh(platform, identity, email, name, _names(name, given_name, family_name))
        return identity
    organization = platform.organization
    user, how = None, "created"
    if platform.link_by_email and email:
        user = _verified_user(email)
        how = "email" if user else how
    if user is None:
        user, created = get_user_model().objects.get_or_create(
            username=_username(platform, subject),
            defaults={
                "email": email,
                **_names(name, given_name, family_name),
            },
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
    try:
        with transaction.atomic():
            identity = LtiIdentity.objects.create(
                platform=platform,
                subject=subject,
                user=user,
                email=email,
                name=name[:255],
            )
    except IntegrityError:
        return LtiIdentity.objects.select_related("user").get(
            platform=platform, subject=subject
        )
    log_action(
        None,
        "lti.identity_linked",
        identity,
        organization=organization,
        user=user.pk,
        how=how,
    )
    return identity


def _context(platform: LtiPlatform, claims: dict) -> LtiContext | None:
    context = claims.get(CLAIM + "context") or {}
    if not context.get("id"):
        return None
    ags = claims.get(AGS_CLAIM) or {}
    nrps = claims.get(NRPS_CLAIM) or {}
    found, _ = LtiContext.objects.get_or_create(
        platform=platform, context_id=str(context["id"])[:255]
    )
    values = {
        "title": str(context.get("title") or context.get("label") or "")[:255],
        "memberships_url": nrps.get("context_memberships_url", "")[:500],
        "lineitems_url": ags.get("lineitems", "")[:500],
        "ags_scopes": list(ags.get("scope") or []),
    }
    changed = [name for name, value in values.items() if getattr(found, name) != value]
    for name in changed:
        setattr(found, name, values[name])
    if changed:
        found.save(update_fields=changed)
    return found


def _target(platform: LtiPlatform, custom: dict) -> dict:
    """Custom parameters `cairn_module` / `cairn_pathway` name a code."""
    organization = platform.organization
    target = {}
    if code := str(custom.get("cairn_module", "")).strip():
        target["module"] = Module.objects.filter(
            organization=organization, code=code
        ).first()
    if code := str(custom.get("cairn_pathway", "")).strip():
        target["pathway"] = Pathway.objects.filter(
            organization=organization, code=code
        ).first()
    return target


def _link(context: LtiContext, platform: LtiPlatform, claims: dict):
    resource = claims.get(CLAIM + "resource_link") or {}
    if not resource.get("id"):
        return None
    link, _ = LtiResourceLink.objects.get_or_create(
        context=context,
        resource_link_id=str(resource["id"])[:255],
        defaults={"title": str(resource.get("title") or "")[:255]},
    )
    target = _target(platform, claims.get(CLAIM + "custom") or {})
    changed = [k for k, v in target.items() if v and getattr(link, k + "_id") != v.pk]
    for name in changed:
        setattr(link, name, target[name])
    if changed:
        link.save(update_fields=changed)
    return link


@transaction.atomic
def record_launch(platform: LtiPlatform, claims: dict):
    """Link the person, give them their role, note the course and the link."""
    identity = link_identity(
        platform,
        subject=str(claims["sub"]),
        email=claims.get("email", "") or "",
        name=claims.get("name", "") or "",
        given_name=claims.get("given_name", "") or "",
        family_name=claims.get("family_name", "") or "",
    )
    roles = list(claims.get(CLAIM + "roles") or [])
    teaching = is_teaching(roles)
    curriculum.add_member(
        platform.organization,
        identity.user,
        role=Role.FACULTY if teaching else Role.LEARNER,
    )
    identity.last_launch_at = timezone.now()
    identity.save(update_fields=["last_launch_at"])
    context = _context(platform, claims)
    link = _link(context, platform, claims) if context else None
    if context:
        member, created = LtiMember.objects.get_or_create(
            context=context,
            identity=identity,
            defaults={"roles": roles, "is_instructor": teaching},
        )
        if not created and (
            member.status != LtiMember.Status.ACTIVE or member.roles != roles
        ):
            member.status, member.withdrawn_at = LtiMember.Status.ACTIVE, None
            member.roles, member.is_instructor = roles, teaching
            member.save(
                update_fields=["status", "withdrawn_at", "roles", "is_instructor"]
            )
    return identity, context, link, teaching


def landing_url(link: LtiResourceLink | None) -> str:
    """The progress page the link points to, or the learner's home."""
    if link and link.module_id:
        version = (
            ModuleVersion.objects.published()
            .filter(module_id=link.module_id)
            .order_by("-published_at")
            .first()
        )
        if version:
            return reverse("curriculum:version-detail", args=[version.pk])
    if link and link.pathway_id:
        version = (
            PathwayVersion.objects.published()
            .filter(pathway_id=link.pathway_id)
            .order_by("-published_at")
            .first()
        )
        if version:
            return reverse("pathways:version-detail", args=[version.pk])
    return reverse("home")
