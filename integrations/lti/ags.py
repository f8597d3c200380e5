"""Assignment and Grade Services: the mapped line items' results read from the
platform, matched against the course's award rules, and turned into module
completions (or voided ones) through assessments' completion services, the
same ones a graded submission or the CSV grade import ends in."""

from collections import defaultdict
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.audit import log_action
from assessments.models import ModuleCompletion
from assessments.services import record_completion, void_completion
from curriculum.models import Module, ModuleVersion
from integrations.lti.registration import can_manage_lti
from integrations.lti.rules import (
    letter_for,
    letter_rule_met,
    percent,
    rule_met,
    scale_of,
)
from integrations.lti.services_client import (
    SCOPE_LINEITEMS,
    SCOPE_RESULTS,
    PlatformConnector,
)
from integrations.models import (
    LtiAwardRule,
    LtiContext,
    LtiIdentity,
    LtiMember,
    LtiResultCompletion,
)

RESULTS_TYPE = "application/vnd.ims.lis.v2.resultcontainer+json"
LINEITEMS_TYPE = "application/vnd.ims.lis.v2.lineitemcontainer+json"
VOID_REASON = "The course grade in the learning platform no longer meets the rule."


def results_url(line_item: str) -> str:
    # AGS §3.2: a line item's results are at its URL plus /results.
    path, _, query = line_item.partition("?")
    url = path.rstrip("/") + "/results"
    return f"{url}?{query}" if query else url


def line_items(context: LtiContext) -> list[dict]:
    """The course's line items (assignments, the course grade)."""
    if not context.lineitems_url:
        return []
    connector = PlatformConnector(context.platform)
    return connector.get_pages([SCOPE_LINEITEMS], context.lineitems_url, LINEITEMS_TYPE)


def can_teach(user: AbstractBaseUser, context: LtiContext) -> bool:
    return can_manage_lti(user, context.platform.organization) or (
        LtiMember.objects.filter(
            context=context,
            identity__user=user,
            is_instructor=True,
            status=LtiMember.Status.ACTIVE,
        ).exists()
    )


@transaction.atomic
def add_award_rule(
    context: LtiContext,
    *,
    by: AbstractBaseUser,
    module: Module,
    line_items: dict[str, str],
    min_percent: Decimal | None = None,
    min_letter: str = "",
) -> LtiAwardRule:
    """`line_items` maps each line item's id (its URL) to its label. The rule
    asks for a lowest percentage or a lowest letter of the platform's scale."""
    if not can_teach(by, context):
        raise PermissionDenied("Only the course's instructors map its grades.")
    if module.organization_id != context.platform.organization_id:
        raise ValidationError({"module": "Choose a module of this organization."})
    if not line_items:
        raise ValidationError({"line_items": "Choose at least one line item."})
    if min_percent is None and not min_letter:
        raise ValidationError(
            "Choose the lowest score or the lowest letter that completes the module."
        )
    if min_percent is not None and min_letter:
        raise ValidationError("Choose a lowest score or a lowest letter, not both.")
    if min_percent is not None and not Decimal(0) <= min_percent <= Decimal(100):
        raise ValidationError({"min_percent": "Give a percentage from 0 to 100."})
    letters = [letter for letter, _ in scale_of(context.platform.letter_scale)]
    if min_letter and min_letter not in letters:
        raise ValidationError(
            {
                "min_letter": f"{min_letter} is not a letter of this platform's "
                f"scale ({', '.join(letters)})."
            }
        )
    rule = LtiAwardRule.objects.create(
        context=context,
        module=module,
        line_items=sorted(line_items),
        line_item_labels=line_items,
        min_percent=min_percent,
        min_letter=min_letter,
        created_by=by,
    )
    log_action(
        by,
        "lti.award_rule_added",
        rule,
        organization=context.platform.organization,
        module=module.code,
        line_items=sorted(line_items),
        min_percent=None if min_percent is None else str(min_percent),
        min_letter=min_letter,
    )
    return rule


@transaction.atomic
def remove_award_rule(rule: LtiAwardRule, *, by: AbstractBaseUser) -> None:
    if not can_teach(by, rule.context):
        raise PermissionDenied("Only the course's instructors map its grades.")
    log_action(
        by,
        "lti.award_rule_removed",
        rule,
        organization=rule.context.platform.organization,
        module=rule.module.code,
    )
    rule.delete()


def read_scores(
    context: LtiContext, items: set[str], *, on_page=None
) -> dict[str, dict[str, Decimal]]:
    """Line item -> platform user id -> percentage, every page of results."""
    connector = PlatformConnector(context.platform)
    scores: dict[str, dict] = defaultdict(dict)
    for item in sorted(items):
        for result in connector.get_pages(
            [SCOPE_RESULTS], results_url(item), RESULTS_TYPE, on_page=on_page
        ):
            value = percent(result)
            if result.get("userId") and value is not None:
                scores[item][str(result["userId"])] = value
    return scores


def read_results(context: LtiContext, *, on_page=None) -> dict | None:
    """The results the course's rules need (read_scores); None when no rule
    names a line item. A rule's line items never change (a rule is added or
    removed whole), so a rule added after this read finds no scores, records
    and voids nothing, and is read by the next sync."""
    rules = context.award_rules.all()
    items = {item for rule in rules for item in rule.line_items}
    if not items:
        return None
    return read_scores(context, items, on_page=on_page)


def _current_version(module_id: int) -> ModuleVersion | None:
    return (
        ModuleVersion.objects.published()
        .filter(module_id=module_id)
        .order_by("-published_at")
        .first()
    )


@transaction.atomic
def apply_scores(
    context: LtiContext, scores: dict[str, dict[str, Decimal]]
) -> dict[str, int]:
    """Completions for the rules now met, voided ones for rules no longer met.
    Safe to repeat: a learner's live evidence per rule is unique."""
    platform = context.platform
    subjects = {subject for by_user in scores.values() for subject in by_user}
    identities = {
        identity.subject: identity
        for identity in LtiIdentity.objects.filter(
            platform=platform, subject__in=subjects
        ).select_related("user")
    }
    recorded = voided = 0
    now = timezone.now()
    scale = scale_of(platform.letter_scale)
    for rule in context.award_rules.select_related("module"):
        version = _current_version(rule.module_id)
        live = {
            evidence.learner_id: evidence
            for evidence in rule.completions.filter(
                voided_at__isnull=True
            ).select_related("completion")
        }
        # One query for the learners who already hold the module (another way,
        # or an earlier read): nothing of the LMS is added to theirs.
        holders = (
            set(
                ModuleCompletion.objects.live()
                .filter(version=version)
                .values_list("learner_id", flat=True)
            )
            if version is not None
            else set()
        )
        for subject, identity in identities.items():
            learner = identity.user
            mine = {item: scores.get(item, {}).get(subject) for item in rule.line_items}
            if rule.min_letter:
                met = letter_rule_met(rule.line_items, rule.min_letter, scale, mine)
            else:
                met = rule_met(rule.line_items, rule.min_percent, mine)
            evidence = live.get(learner.pk)
            if met and evidence is None and version is not None:
                if learner.pk in holders:
                    continue
                # record_completion writes the audit entry; the evidence row
                # says which platform, course, line items and scores.
                completion = record_completion(
                    learner, version, source=ModuleCompletion.Source.LMS
                )
                LtiResultCompletion.objects.create(
                    rule=rule,
                    learner=learner,
                    completion=completion,
                    scores={item: str(value) for item, value in mine.items()},
                    letters={
                        item: letter_for(value, scale)
                        for item, value in mine.items()
                        if rule.min_letter and value is not None
                    },
                    recorded_at=now,
                )
                recorded += 1
            elif not met and evidence is not None:
                void_completion(evidence.completion, by=None, reason=VOID_REASON)
                evidence.voided_at = now
                evidence.save(update_fields=["voided_at"])
                voided += 1
    context.results_synced_at = now
    context.save(update_fields=["results_synced_at"])
    return {"recorded": recorded, "voided": voided}
