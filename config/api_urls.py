"""Every app's API endpoints under /api/."""

from django.urls import include, path

from accounts.people import api as people
from accounts.sso import api as sso
from analytics import api as analytics
from assessments import api as assessments
from credentials import api as credentials
from curriculum import api as curriculum
from curriculum import framework_api as frameworks
from pathways import api as pathways
from reviews import api as reviews

urlpatterns = [
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
    path("progress/", pathways.MyProgress.as_view()),
    path("reviews/", reviews.ReviewList.as_view()),
    path("reviews/submit/", reviews.ReviewSubmit.as_view()),
    path("reviews/<int:pk>/", reviews.ReviewDetail.as_view()),
    path("reviews/<int:pk>/declarations/", reviews.ReviewDeclare.as_view()),
    path("reviews/<int:pk>/comments/", reviews.ReviewComment.as_view()),
    path("reviews/<int:pk>/votes/", reviews.ReviewVote.as_view()),
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
]
