from django.urls import path

from assessments import views

app_name = "assessments"
urlpatterns = [
    path("queue/", views.grading_queue, name="queue"),
    path("versions/<int:version_pk>/tasks/new/", views.task_create, name="task-create"),
    path("tasks/<int:pk>/", views.task_detail, name="task-detail"),
    path("submissions/<int:pk>/", views.submission_detail, name="submission-detail"),
    path("submissions/<int:pk>/grade/", views.grade, name="grade"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
]
