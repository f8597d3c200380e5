from django.urls import path

from curriculum import case_views, framework_views, views

app_name = "curriculum"
urlpatterns = [
    path("", views.module_list, name="module-list"),
    path("modules/new/", views.module_create, name="module-create"),
    path("versions/<int:pk>/", views.version_detail, name="version-detail"),
    path("versions/<int:pk>/outcomes/", views.outcome_add, name="outcome-add"),
    path("versions/<int:pk>/publish/", views.version_publish, name="version-publish"),
    path("versions/<int:pk>/edit/", views.version_edit, name="version-edit"),
    path(
        "versions/<int:pk>/badge-image",
        views.version_badge_image,
        name="version-badge-image",
    ),
    path(
        "versions/<int:pk>/badge.png",
        views.version_badge_png,
        name="version-badge-png",
    ),
    path(
        "versions/<int:pk>/badge/",
        views.version_badge_designer,
        name="version-badge-designer",
    ),
    path("versions/<int:pk>/ctdl.json", views.version_ctdl, name="version-ctdl"),
    path("outcomes/<int:pk>/edit/", views.outcome_edit, name="outcome-edit"),
    path("outcomes/<int:pk>/move/", views.outcome_move, name="outcome-move"),
    path("outcomes/<int:pk>/remove/", views.outcome_remove, name="outcome-remove"),
    path("outcomes/<int:pk>/align/", views.outcome_align, name="outcome-align"),
    path("outcomes/<int:pk>/unalign/", views.outcome_unalign, name="outcome-unalign"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("frameworks/", framework_views.framework_list, name="framework-list"),
    path("frameworks/new/", framework_views.framework_create, name="framework-create"),
    path(
        "frameworks/<int:pk>/",
        framework_views.framework_detail,
        name="framework-detail",
    ),
    path(
        "frameworks/<int:pk>/competencies/",
        framework_views.competency_add,
        name="competency-add",
    ),
    path(
        "frameworks/<int:pk>/edit/",
        framework_views.framework_edit,
        name="framework-edit",
    ),
    path(
        "frameworks/<int:pk>/publish/",
        framework_views.framework_publish,
        name="framework-publish",
    ),
    path(
        "frameworks/<int:pk>/update/",
        framework_views.framework_case_update,
        name="framework-case-update",
    ),
    path(
        "frameworks/<int:pk>/update/apply/",
        framework_views.framework_case_update_apply,
        name="framework-case-update-apply",
    ),
    path(
        "frameworks/<int:pk>/delete/",
        framework_views.framework_delete,
        name="framework-delete",
    ),
    path(
        "frameworks/<int:pk>/case.json",
        framework_views.framework_case_export,
        name="framework-case",
    ),
    path(
        "frameworks/<int:pk>/competencies.csv",
        framework_views.framework_csv_export,
        name="framework-csv",
    ),
    path(
        "competencies/<int:pk>/edit/",
        framework_views.competency_edit,
        name="competency-edit",
    ),
    path(
        "competencies/<int:pk>/remove/",
        framework_views.competency_remove,
        name="competency-remove",
    ),
    path(
        "competencies/search/",
        framework_views.competency_search,
        name="competency-search",
    ),
    path("imports/new/", framework_views.import_create, name="import-create"),
    path("imports/<int:pk>/", framework_views.import_detail, name="import-detail"),
    path("uri/<str:identifier>/", case_views.case_uri, name="case-uri"),
    path(
        "ims/case/v1p1/CFDocuments",
        case_views.case_service_documents,
        name="case-documents",
    ),
    path(
        "ims/case/v1p1/CFPackages/<str:identifier>",
        case_views.case_service_package,
        name="case-package",
    ),
]
