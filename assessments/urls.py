from django.urls import path

from assessments import cohort_views, views

app_name = "assessments"
urlpatterns = [
    path("queue/", views.grading_queue, name="queue"),
    path("versions/<int:version_pk>/tasks/new/", views.task_create, name="task-create"),
    path("tasks/<int:pk>/", views.task_detail, name="task-detail"),
    path("tasks/<int:pk>/edit/", views.task_edit, name="task-edit"),
    path("tasks/<int:pk>/rubric/", views.rubric_builder, name="rubric-builder"),
    path(
        "tasks/<int:pk>/rubric/<slug:operation>/",
        views.rubric_edit,
        name="rubric-edit",
    ),
    path("tasks/<int:pk>/marking/", views.task_marking, name="task-marking"),
    path("tasks/<int:pk>/calibration/", views.calibration, name="calibration"),
    path("tasks/<int:pk>/import/", views.grades_import, name="grades-import"),
    path(
        "grade-imports/<int:pk>/",
        views.grade_import_detail,
        name="grade-import-detail",
    ),
    path("submissions/<int:pk>/", views.submission_detail, name="submission-detail"),
    path("submissions/<int:pk>/grade/", views.grade, name="grade"),
    path("submissions/<int:pk>/change/", views.grade_change, name="grade-change"),
    path(
        "submissions/<int:pk>/calibration/<slug:kind>/",
        views.calibration_mark,
        name="calibration-mark",
    ),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path("evidence/<int:pk>/preview/", views.evidence_preview, name="evidence-preview"),
    path(
        "evidence/<int:pk>/remove/", views.draft_file_remove, name="draft-file-remove"
    ),
    path("cohorts/", views.cohort_list, name="cohorts"),
    path("cohorts/<int:pk>/", views.cohort_detail, name="cohort-detail"),
    path("cohorts/<int:pk>/add/", cohort_views.cohort_add_many, name="cohort-add-many"),
    path(
        "cohorts/<int:pk>/candidates/",
        cohort_views.cohort_candidates,
        name="cohort-candidates",
    ),
    path("recognition/", views.recognition, name="recognition"),
    path("recognition/<int:pk>/file/", views.recognition_file, name="recognition-file"),
]
