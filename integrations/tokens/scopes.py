"""Which scope each API call needs: the one table for every endpoint under /api/.

Reading needs `read`; grading `grade`; issuing, revoking, suspending and
reinstating credentials `issue`; every other change `admin`. A scope only says
what kind of call a token may make: its user's (or service account's) roles
still decide on which objects, through the same permission functions as the
browser, so a token never does more than its account could.

A view outside this table may name its own with a `token_scopes` attribute
(method -> scope); a token calling a view that names none is refused."""

from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request

from integrations.models.tokens import Scope

READ, GRADE, ISSUE, ADMIN = Scope.READ, Scope.GRADE, Scope.ISSUE, Scope.ADMIN

# Views by dotted path: DRF loads the authentication classes while importing
# its views, before any app's api module could be imported here.
ENDPOINT_SCOPES: dict[str, dict[str, str]] = {
    "accounts.api.OrganizationList": {"GET": READ},
    "accounts.people.api.OrganizationListCreate": {"GET": READ, "POST": ADMIN},
    "accounts.people.api.MemberList": {"GET": READ},
    "accounts.people.api.InvitationCreate": {"GET": READ, "POST": ADMIN},
    "accounts.people.api.InvitationWithdraw": {"POST": ADMIN},
    "accounts.people.api.MemberReactivate": {"POST": ADMIN},
    "accounts.people.api.MemberRoles": {"POST": ADMIN},
    "accounts.people.api.MemberRole": {"DELETE": ADMIN},
    "accounts.people.api.MemberDeactivate": {"POST": ADMIN},
    "accounts.sso.api.IdentityProviderList": {"GET": READ, "POST": ADMIN},
    "accounts.sso.api.IdentityProviderDetail": {
        "GET": READ,
        "PUT": ADMIN,
        "PATCH": ADMIN,
        "DELETE": ADMIN,
    },
    "analytics.api.OrganizationAnalytics": {"GET": READ},
    "curriculum.api.ModuleVersionList": {"GET": READ, "POST": ADMIN},
    "curriculum.api.ModuleVersionDetail": {"GET": READ, "PATCH": ADMIN},
    "curriculum.api.ModuleVersionCtdl": {"GET": READ},
    "curriculum.api.ModuleVersionPublish": {"POST": ADMIN},
    "curriculum.api.OutcomeCreate": {"POST": ADMIN},
    "curriculum.api.OutcomeDetail": {"GET": READ, "PATCH": ADMIN, "DELETE": ADMIN},
    "curriculum.api.OutcomeMove": {"POST": ADMIN},
    "curriculum.api.OutcomeAlignments": {"POST": ADMIN, "DELETE": ADMIN},
    "curriculum.framework_api.FrameworkList": {"GET": READ, "POST": ADMIN},
    "curriculum.framework_api.CaseImport": {"POST": ADMIN},
    "curriculum.framework_api.CsvImport": {"POST": ADMIN},
    "curriculum.framework_api.FrameworkDetail": {
        "GET": READ,
        "PATCH": ADMIN,
        "DELETE": ADMIN,
    },
    "curriculum.framework_api.FrameworkPublish": {"POST": ADMIN},
    "curriculum.framework_api.FrameworkCase": {"GET": READ},
    "curriculum.framework_api.CompetencyList": {"GET": READ, "POST": ADMIN},
    "curriculum.framework_api.CompetencySearch": {"GET": READ},
    "curriculum.framework_api.CompetencyDetail": {
        "GET": READ,
        "PATCH": ADMIN,
        "DELETE": ADMIN,
    },
    "assessments.api.TaskCreate": {"POST": ADMIN},
    "assessments.api.TaskDetail": {"GET": READ, "PATCH": ADMIN},
    "assessments.api.SubmissionCreate": {"POST": ADMIN},
    "assessments.api.MySubmissionList": {"GET": READ},
    "assessments.api.SubmissionDetail": {"GET": READ},
    "assessments.api.GradeCreate": {"POST": GRADE},
    "assessments.api.GradeChange": {"POST": GRADE},
    "assessments.api.TaskAgreement": {"GET": READ},
    "assessments.api.GradesImport": {"POST": GRADE},
    "assessments.api.GradeImportDetail": {"GET": READ},
    "assessments.api.GradingQueue": {"GET": READ},
    "assessments.cohort_api.CohortList": {"GET": READ, "POST": ADMIN},
    "assessments.cohort_api.CohortDetail": {"GET": READ},
    "assessments.cohort_api.CohortMembersAdd": {"POST": ADMIN},
    "assessments.cohort_api.CohortMembersRemove": {"POST": ADMIN},
    "pathways.api.PathwayVersionList": {"GET": READ, "POST": ADMIN},
    "pathways.equivalence_api.EquivalenceList": {"GET": READ, "POST": ADMIN},
    "pathways.cohort_api.CohortEnrol": {"POST": ADMIN},
    "pathways.cohort_api.CohortMove": {"POST": ADMIN},
    "pathways.cohort_api.Reevaluate": {"POST": ADMIN},
    "pathways.cohort_api.ReevaluationDetail": {"GET": READ},
    "pathways.cohort_api.PrerequisiteOverrides": {"GET": READ, "POST": ADMIN},
    "pathways.equivalence_api.EquivalenceWithdraw": {"POST": ADMIN},
    "pathways.api.PathwayVersionDetail": {"GET": READ},
    "pathways.api.PathwayVersionPublish": {"POST": ADMIN},
    "pathways.api.Enrol": {"POST": ADMIN},
    "pathways.api.PathwayVersionRule": {"PUT": ADMIN},
    # A simulation changes nothing: it answers what a learner would have met.
    "pathways.api.PathwayVersionSimulate": {"POST": READ},
    "pathways.api.MyProgress": {"GET": READ},
    "reviews.api.ReviewList": {"GET": READ},
    "reviews.board_api.BoardList": {"GET": READ, "POST": ADMIN},
    "reviews.board_api.BoardDetail": {"GET": READ, "PUT": ADMIN, "PATCH": ADMIN},
    "reviews.board_api.BoardMemberList": {"GET": READ, "POST": ADMIN},
    "reviews.api.ReviewSubmit": {"POST": ADMIN},
    "reviews.api.ReviewDetail": {"GET": READ},
    "reviews.api.ReviewDeclare": {"POST": ADMIN},
    "reviews.api.ReviewComment": {"POST": ADMIN},
    "reviews.api.ReviewVote": {"POST": ADMIN},
    "reviews.api.ReviewWithdraw": {"POST": ADMIN},
    "reviews.api.CommentRespond": {"POST": ADMIN},
    "reviews.api.NextDraft": {"POST": ADMIN},
    "credentials.api.MyAwardList": {"GET": READ},
    "credentials.api.AwardVerification": {"GET": READ},
    # Checking a credential changes nothing. It takes no credentials at all
    # (anyone may check one), so a token there is never looked at.
    "credentials.api.VerifyCredential": {"POST": READ},
    "credentials.api.AwardStatusChange": {"POST": ISSUE},
    # The W3C VC API: signing and status changes are issuing; checking is
    # reading (docs/decisions/0018-vc-api.md).
    "integrations.vcapi.api.CredentialsIssue": {"POST": ISSUE},
    "integrations.vcapi.api.CredentialsStatus": {"POST": ISSUE},
    "integrations.vcapi.api.CredentialsVerify": {"POST": READ},
    "integrations.vcapi.api.PresentationsVerify": {"POST": READ},
    "credentials.api.AwardReissue": {"POST": ISSUE},
    "credentials.api.AwardRenew": {"POST": ISSUE},
    "credentials.api.OrganizationAwardList": {"GET": READ},
    "credentials.issuer_api.Issuer": {"GET": READ, "PATCH": ADMIN},
    "credentials.issuer_api.IssuerLogo": {"PUT": ADMIN},
    "credentials.issuer_api.CertificateSample": {"GET": READ},
    "credentials.issuer_api.SigningKeyList": {"GET": READ},
    "credentials.issuer_api.SigningKeyRotate": {"POST": ADMIN},
    # Marking a key compromised revokes what it signed from then on: keeping
    # keys is the admin's, so it needs `admin`, not `issue`.
    "credentials.issuer_api.SigningKeyCompromised": {"POST": ADMIN},
    "credentials.issuer_api.EndorsementList": {"GET": READ, "POST": ADMIN},
    "integrations.webhooks.api.WebhookList": {"GET": READ, "POST": ADMIN},
    "integrations.webhooks.api.WebhookDetail": {
        "GET": READ,
        "PUT": ADMIN,
        "PATCH": ADMIN,
        "DELETE": ADMIN,
    },
    "integrations.webhooks.api.WebhookDeliveryList": {"GET": READ},
    "integrations.webhooks.api.WebhookPause": {"POST": ADMIN},
    "integrations.webhooks.api.WebhookResume": {"POST": ADMIN},
    "integrations.webhooks.api.WebhookRotateSecret": {"POST": ADMIN},
    "integrations.webhooks.api.WebhookTest": {"POST": ADMIN},
    "integrations.webhooks.api.WebhookResend": {"POST": ADMIN},
    # --- Admin pages that were browser-only (apigaps1): roster imports,
    # self-registration, erasure requests, the audit trail, queued work and
    # the overdue list.
    "pathways.roster_api.RosterImportList": {"GET": READ, "POST": ADMIN},
    "pathways.roster_api.RosterImportDetail": {"GET": READ},
    "pathways.roster_api.RosterImportStart": {"POST": ADMIN},
    # Bulk awards issue credentials (issue 16).
    "credentials.bulk_api.BulkAwardList": {"GET": READ, "POST": ISSUE},
    "credentials.bulk_api.BulkAwardDetail": {"GET": READ},
    "credentials.bulk_api.BulkAwardStart": {"POST": ISSUE},
    "accounts.lifecycle.api.Registration": {
        "GET": READ,
        "PUT": ADMIN,
        "PATCH": ADMIN,
    },
    "accounts.lifecycle.api.ErasureRequestList": {"GET": READ},
    "accounts.lifecycle.api.ErasureConfirm": {"POST": ADMIN},
    "accounts.lifecycle.api.ErasureDecline": {"POST": ADMIN},
    "accounts.audit_api.AuditTrail": {"GET": READ},
    "accounts.audit_api.AuditTrailCsv": {"GET": READ},
    "analytics.api.QueuedWork": {"GET": READ},
    "reviews.api.Overdue": {"GET": READ},
    # --- end apigaps1
}

# apigaps2: the designer's and admin's remaining pages. A designer's changes
# to a draft need `admin`, like creating the task (decision 0024).
ENDPOINT_SCOPES |= {
    "assessments.rubric_api.RubricPolicy": {"PUT": ADMIN},
    "assessments.rubric_api.CriterionAdd": {"POST": ADMIN},
    "assessments.rubric_api.CriterionDetail": {"PUT": ADMIN, "DELETE": ADMIN},
    "assessments.rubric_api.CriterionMove": {"POST": ADMIN},
    "assessments.rubric_api.LevelAdd": {"POST": ADMIN},
    "assessments.rubric_api.LevelDetail": {"PUT": ADMIN, "DELETE": ADMIN},
    "assessments.rubric_api.LevelMove": {"POST": ADMIN},
    "assessments.rubric_api.CellUpdate": {"PUT": ADMIN},
    "assessments.rubric_api.RubricCopy": {"POST": ADMIN},
    "assessments.recognition_api.RecognitionList": {"GET": READ, "POST": ADMIN},
    "curriculum.badge_api.ModuleVersionBadge": {"PUT": ADMIN, "DELETE": ADMIN},
    "curriculum.badge_api.ModuleVersionBadgeDesign": {"PUT": ADMIN},
    "pathways.badge_api.PathwayVersionBadge": {"PUT": ADMIN, "DELETE": ADMIN},
    "pathways.badge_api.PathwayVersionBadgeDesign": {"PUT": ADMIN},
    # Calibration marks are grading work: an anchor and an attempt need `grade`.
    "assessments.calibration_api.CalibrationReport": {"GET": READ},
    "assessments.calibration_api.CalibrationAnchor": {"POST": GRADE},
    "assessments.calibration_api.CalibrationAttempt": {"POST": GRADE},
    "pathways.stacking_api.ModuleStacking": {"GET": READ, "PUT": ADMIN},
    # A preview changes nothing, like the simulator; applying needs `admin`.
    "curriculum.case_update_api.CaseUpdatePreview": {"POST": READ},
    "curriculum.case_update_api.CaseUpdateApply": {"POST": ADMIN},
}
# apigaps2 end.

# Calls a person makes for themselves as a learner: a service account (or a
# client acting as one) is never a learner, here or in another organization.
LEARNER_ONLY = {"pathways.api.Enrol", "assessments.api.SubmissionCreate"}

# Asking what a call allows (OPTIONS) or its headers (HEAD) is reading.
_READING = {"HEAD": "GET", "OPTIONS": "GET"}


def _dotted(view: object) -> str:
    return f"{type(view).__module__}.{type(view).__qualname__}"


def required_scope(view: object, method: str) -> str | None:
    """The scope `method` on `view` needs, or None if tokens may not call it."""
    table = getattr(view, "token_scopes", None) or ENDPOINT_SCOPES.get(
        _dotted(view), {}
    )
    if method in _READING and method not in table:
        return table.get(_READING[method]) or (READ if table else None)
    return table.get(method)


def check_scope(request: Request, granted: set[str], *, machine: bool) -> None:
    """Refuse the call unless the token holds the scope it needs (and, for a
    service account, unless it is a call a machine may make)."""
    view = (request.parser_context or {}).get("view")
    needed = required_scope(view, request.method)
    if needed is None:
        raise PermissionDenied("This endpoint does not accept API tokens.")
    if machine and _dotted(view) in LEARNER_ONLY:
        raise PermissionDenied("A service account cannot act as a learner.")
    if needed not in granted:
        raise PermissionDenied(
            f"This call needs the “{needed}” scope, which the token does not have."
        )
