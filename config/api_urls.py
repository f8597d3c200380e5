"""Every app's API endpoints under /api/."""

from django.urls import path

from assessments import api as assessments
from credentials import api as credentials
from curriculum import api as curriculum
from pathways import api as pathways

urlpatterns = [
    path("organizations/", curriculum.OrganizationList.as_view()),
    path("module-versions/", curriculum.ModuleVersionList.as_view()),
    path("module-versions/<int:pk>/", curriculum.ModuleVersionDetail.as_view()),
    path("module-versions/<int:pk>/outcomes/", curriculum.OutcomeCreate.as_view()),
    path(
        "module-versions/<int:pk>/publish/", curriculum.ModuleVersionPublish.as_view()
    ),
    path("module-versions/<int:pk>/tasks/", assessments.TaskCreate.as_view()),
    path("tasks/<int:pk>/", assessments.TaskDetail.as_view()),
    path("tasks/<int:pk>/submissions/", assessments.SubmissionCreate.as_view()),
    path("submissions/", assessments.MySubmissionList.as_view()),
    path("submissions/<int:pk>/", assessments.SubmissionDetail.as_view()),
    path("submissions/<int:pk>/grade/", assessments.GradeCreate.as_view()),
    path("grading-queue/", assessments.GradingQueue.as_view()),
    path("pathway-versions/", pathways.PathwayVersionList.as_view()),
    path("pathway-versions/<int:pk>/", pathways.PathwayVersionDetail.as_view()),
    path(
        "pathway-versions/<int:pk>/publish/", pathways.PathwayVersionPublish.as_view()
    ),
    path("pathway-versions/<int:pk>/enrol/", pathways.Enrol.as_view()),
    path("progress/", pathways.MyProgress.as_view()),
    path("awards/", credentials.MyAwardList.as_view()),
    path(
        "credentials/<uuid:uuid>/verification/", credentials.AwardVerification.as_view()
    ),
]
