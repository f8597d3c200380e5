"""Every app's API endpoints under /api/."""

from django.urls import include, path

from accounts import audit_api as audit
from accounts.lifecycle import api as lifecycle
from accounts.people import api as people
from accounts.sso import api as sso
from analytics import api as analytics
from assessments import api as assessments
from assessments import calibration_api as calibration
from assessments import cohort_api as cohorts
from assessments import recognition_api as recognition
from assessments import rubric_api as rubrics
from credentials import api as credentials
from credentials import bulk_api as bulk
from credentials import issuer_api as issuer
from curriculum import api as curriculum
from curriculum import badge_api as badges
from curriculum import case_update_api as case_updates
from curriculum import framework_api as frameworks
from pathways import api as pathways
from pathways import badge_api as pathway_badges
from pathways import cohort_api as enrolments
from pathways import equivalence_api as equivalences
from pathways import roster_api as rosters
from pathways import stacking_api as stacking
from reviews import api as reviews
from reviews import board_api as boards

org = "organizations/<slug:slug>/"

# What an organization's admins do on its pages, by subject.
organization_patterns = [
    path(org + "boards/", boards.BoardList.as_view()),
    path(org + "boards/<int:pk>/", boards.BoardDetail.as_view()),
    path(org + "boards/<int:pk>/members/", boards.BoardMemberList.as_view()),
    path(org + "cohorts/", cohorts.CohortList.as_view()),
    path(org + "cohorts/<int:pk>/", cohorts.CohortDetail.as_view()),
    path(org + "cohorts/<int:pk>/members/add/", cohorts.CohortMembersAdd.as_view()),
    path(
        org + "cohorts/<int:pk>/members/remove/",
        cohorts.CohortMembersRemove.as_view(),
    ),
    path(org + "equivalences/", equivalences.EquivalenceList.as_view()),
    path(
        org + "equivalences/<int:pk>/withdraw/",
        equivalences.EquivalenceWithdraw.as_view(),
    ),
    path(org + "issuer/", issuer.Issuer.as_view()),
    path(org + "issuer/logo/", issuer.IssuerLogo.as_view()),
    path(
        org + "issuer/certificate-samples/<str:variant>/",
        issuer.CertificateSample.as_view(),
    ),
    path(org + "keys/", issuer.SigningKeyList.as_view()),
    path(org + "keys/rotate/", issuer.SigningKeyRotate.as_view()),
    path(org + "keys/<int:pk>/compromised/", issuer.SigningKeyCompromised.as_view()),
    path(org + "endorsements/", issuer.EndorsementList.as_view()),
    path(org + "awards/", credentials.OrganizationAwardList.as_view()),
]

# apigaps2: the designer's and admin's remaining pages (rubric builder,
# recognition of prior learning, badge images, calibration, framework updates,
# stacking profiles).
rubric = "tasks/<int:pk>/rubric/"
apigaps2_patterns = [
    path(rubric + "policy/", rubrics.RubricPolicy.as_view()),
    path(rubric + "criteria/", rubrics.CriterionAdd.as_view()),
    path(rubric + "criteria/<int:criterion>/", rubrics.CriterionDetail.as_view()),
    path(rubric + "criteria/<int:criterion>/move/", rubrics.CriterionMove.as_view()),
    path(rubric + "levels/", rubrics.LevelAdd.as_view()),
    path(rubric + "levels/<int:position>/", rubrics.LevelDetail.as_view()),
    path(rubric + "levels/<int:position>/move/", rubrics.LevelMove.as_view()),
    path(rubric + "cells/<int:cell>/", rubrics.CellUpdate.as_view()),
    path(rubric + "copy/", rubrics.RubricCopy.as_view()),
    path(org + "recognition/", recognition.RecognitionList.as_view()),
    path("module-versions/<int:pk>/badge/", badges.ModuleVersionBadge.as_view()),
    path(
        "module-versions/<int:pk>/badge/design/",
        badges.ModuleVersionBadgeDesign.as_view(),
    ),
    path(
        "pathway-versions/<int:pk>/badge/",
        pathway_badges.PathwayVersionBadge.as_view(),
    ),
    path(
        "pathway-versions/<int:pk>/badge/design/",
        pathway_badges.PathwayVersionBadgeDesign.as_view(),
    ),
    path("tasks/<int:pk>/calibration/", calibration.CalibrationReport.as_view()),
    path(
        "submissions/<int:pk>/calibration/anchor/",
        calibration.CalibrationAnchor.as_view(),
    ),
    path(
        "submissions/<int:pk>/calibration/attempt/",
        calibration.CalibrationAttempt.as_view(),
    ),
    path("modules/<int:pk>/stacking/", stacking.ModuleStacking.as_view()),
    path(
        "frameworks/<int:pk>/case-update/preview/",
        case_updates.CaseUpdatePreview.as_view(),
    ),
    path("frameworks/<int:pk>/case-update/", case_updates.CaseUpdateApply.as_view()),
]
# apigaps2 end.

# Admin pages that were browser-only (apigaps1): roster imports,
# self-registration, erasure requests, the audit trail, queued work, overdue.
admin_page_patterns = [
    path(org + "roster-imports/", rosters.RosterImportList.as_view()),
    path(org + "roster-imports/<int:pk>/", rosters.RosterImportDetail.as_view()),
    path(org + "roster-imports/<int:pk>/start/", rosters.RosterImportStart.as_view()),
    path(org + "bulk-awards/", bulk.BulkAwardList.as_view()),
    path(org + "bulk-awards/<int:pk>/", bulk.BulkAwardDetail.as_view()),
    path(org + "bulk-awards/<int:pk>/start/", bulk.BulkAwardStart.as_view()),
    path(org + "registration/", lifecycle.Registration.as_view()),
    path(org + "erasure-requests/", lifecycle.ErasureRequestList.as_view()),
    path(
        org + "erasure-requests/<int:pk>/confirm/",
        lifecycle.ErasureConfirm.as_view(),
    ),
    path(
        org + "erasure-requests/<int:pk>/decline/",
        lifecycle.ErasureDecline.as_view(),
    ),
    path(org + "audit/", audit.AuditTrail.as_view()),
    path(org + "audit/csv/", audit.AuditTrailCsv.as_view()),
    path(org + "work/", analytics.QueuedWork.as_view()),
    path(org + "overdue/", reviews.Overdue.as_view()),
]

urlpatterns = [
    *organization_patterns,
    *admin_page_patterns,
    *apigaps2_patterns,
    path(
        "organizations/<slug:slug>/webhooks/",
        include("integrations.webhooks.api_urls"),
    ),
    path(
        "organizations/<slug:slug>/vc-api/",
        include("integrations.vcapi.urls"),
    ),
    path(
        "organizations/<slug:slug>/analytics/",
        analytics.OrganizationAnalytics.as_view(),
    ),
    path("organizations/", people.OrganizationListCreate.as_view()),
    path("organizations/<slug:slug>/members/", people.MemberList.as_view()),
    path("organizations/<slug:slug>/invitations/", people.InvitationCreate.as_view()),
    path(
        "organizations/<slug:slug>/members/<int:user_id>/roles/",
        people.MemberRoles.as_view(),
    ),
    path(
        "organizations/<slug:slug>/members/<int:user_id>/roles/<str:role>/",
        people.MemberRole.as_view(),
    ),
    path(
        "organizations/<slug:slug>/members/<int:user_id>/deactivate/",
        people.MemberDeactivate.as_view(),
    ),
    path(
        "organizations/<slug:slug>/members/<int:user_id>/reactivate/",
        people.MemberReactivate.as_view(),
    ),
    path(
        "organizations/<slug:slug>/invitations/<int:pk>/withdraw/",
        people.InvitationWithdraw.as_view(),
    ),
    path(
        "organizations/<slug:slug>/identity-providers/",
        sso.IdentityProviderList.as_view(),
    ),
    path(
        "organizations/<slug:slug>/identity-providers/<slug:provider_slug>/",
        sso.IdentityProviderDetail.as_view(),
    ),
    path("module-versions/", curriculum.ModuleVersionList.as_view()),
    path("module-versions/<int:pk>/", curriculum.ModuleVersionDetail.as_view()),
    path("module-versions/<int:pk>/outcomes/", curriculum.OutcomeCreate.as_view()),
    path("module-versions/<int:pk>/ctdl/", curriculum.ModuleVersionCtdl.as_view()),
    path("outcomes/<int:pk>/", curriculum.OutcomeDetail.as_view()),
    path("outcomes/<int:pk>/move/", curriculum.OutcomeMove.as_view()),
    path("outcomes/<int:pk>/alignments/", curriculum.OutcomeAlignments.as_view()),
    path("frameworks/", frameworks.FrameworkList.as_view()),
    path("frameworks/import-case/", frameworks.CaseImport.as_view()),
    path("frameworks/import-csv/", frameworks.CsvImport.as_view()),
    path("frameworks/<int:pk>/", frameworks.FrameworkDetail.as_view()),
    path("frameworks/<int:pk>/publish/", frameworks.FrameworkPublish.as_view()),
    path("frameworks/<int:pk>/case/", frameworks.FrameworkCase.as_view()),
    path("frameworks/<int:pk>/competencies/", frameworks.CompetencyList.as_view()),
    path("competencies/search/", frameworks.CompetencySearch.as_view()),
    path("competencies/<int:pk>/", frameworks.CompetencyDetail.as_view()),
    path(
        "module-versions/<int:pk>/publish/", curriculum.ModuleVersionPublish.as_view()
    ),
    path("module-versions/<int:pk>/tasks/", assessments.TaskCreate.as_view()),
    path("tasks/<int:pk>/", assessments.TaskDetail.as_view()),
    path("tasks/<int:pk>/submissions/", assessments.SubmissionCreate.as_view()),
    path("submissions/", assessments.MySubmissionList.as_view()),
    path("submissions/<int:pk>/", assessments.SubmissionDetail.as_view()),
    path("submissions/<int:pk>/grade/", assessments.GradeCreate.as_view()),
    path("submissions/<int:pk>/grade-change/", assessments.GradeChange.as_view()),
    path("tasks/<int:pk>/agreement/", assessments.TaskAgreement.as_view()),
    path("tasks/<int:pk>/grades-import/", assessments.GradesImport.as_view()),
    path("grade-imports/<int:pk>/", assessments.GradeImportDetail.as_view()),
    path("grading-queue/", assessments.GradingQueue.as_view()),
    path("pathway-versions/", pathways.PathwayVersionList.as_view()),
    path("pathway-versions/<int:pk>/", pathways.PathwayVersionDetail.as_view()),
    path(
        "pathway-versions/<int:pk>/publish/", pathways.PathwayVersionPublish.as_view()
    ),
    path("pathway-versions/<int:pk>/enrol/", pathways.Enrol.as_view()),
    path("pathway-versions/<int:pk>/rule/", pathways.PathwayVersionRule.as_view()),
    path(
        "pathway-versions/<int:pk>/simulate/",
        pathways.PathwayVersionSimulate.as_view(),
    ),
    path("pathway-versions/<int:pk>/enrol-cohort/", enrolments.CohortEnrol.as_view()),
    path("pathway-versions/<int:pk>/move-cohort/", enrolments.CohortMove.as_view()),
    path("pathway-versions/<int:pk>/reevaluate/", enrolments.Reevaluate.as_view()),
    path("reevaluations/<int:pk>/", enrolments.ReevaluationDetail.as_view()),
    path(
        "modules/<int:pk>/prerequisite-overrides/",
        enrolments.PrerequisiteOverrides.as_view(),
    ),
    path("progress/", pathways.MyProgress.as_view()),
    path("reviews/", reviews.ReviewList.as_view()),
    path("reviews/submit/", reviews.ReviewSubmit.as_view()),
    path("reviews/<int:pk>/", reviews.ReviewDetail.as_view()),
    path("reviews/<int:pk>/declarations/", reviews.ReviewDeclare.as_view()),
    path("reviews/<int:pk>/comments/", reviews.ReviewComment.as_view()),
    path("reviews/<int:pk>/votes/", reviews.ReviewVote.as_view()),
    path("reviews/<int:pk>/withdraw/", reviews.ReviewWithdraw.as_view()),
    path("reviews/comments/<int:pk>/respond/", reviews.CommentRespond.as_view()),
    path("reviews/start-draft/", reviews.NextDraft.as_view()),
    path("awards/", credentials.MyAwardList.as_view()),
    path(
        "credentials/<uuid:uuid>/verification/", credentials.AwardVerification.as_view()
    ),
    path("verify", credentials.VerifyCredential.as_view()),
    path(
        "credentials/<uuid:uuid>/revoke/",
        credentials.AwardStatusChange.as_view(action="revoke"),
    ),
    path(
        "credentials/<uuid:uuid>/suspend/",
        credentials.AwardStatusChange.as_view(action="suspend"),
    ),
    path(
        "credentials/<uuid:uuid>/reinstate/",
        credentials.AwardStatusChange.as_view(action="reinstate"),
    ),
    path("credentials/<uuid:uuid>/reissue/", credentials.AwardReissue.as_view()),
    path("credentials/<uuid:uuid>/renew/", credentials.AwardRenew.as_view()),
]
