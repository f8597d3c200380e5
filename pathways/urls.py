from django.urls import path

from pathways import badge_views, roster_views, views

app_name = "pathways"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("new/", views.pathway_create, name="create"),
    path("plan/", views.planner, name="planner"),
    path("equivalences/", views.equivalence_list, name="equivalences"),
    path(
        "equivalences/<int:pk>/withdraw/",
        views.equivalence_withdraw,
        name="equivalence-withdraw",
    ),
    path("modules/<int:pk>/stacking/", views.module_stacking, name="module-stacking"),
    path(
        "modules/<int:pk>/prerequisite-overrides/",
        views.prerequisite_overrides,
        name="prerequisite-overrides",
    ),
    path("versions/<int:pk>/", views.version_detail, name="version-detail"),
    path("versions/<int:pk>/ctdl.json", views.version_ctdl, name="version-ctdl"),
    path(
        "versions/<int:pk>/badge-image",
        badge_views.version_badge_image,
        name="version-badge-image",
    ),
    path(
        "versions/<int:pk>/badge.png",
        badge_views.version_badge_png,
        name="version-badge-png",
    ),
    path(
        "versions/<int:pk>/badge/",
        badge_views.version_badge_designer,
        name="version-badge-designer",
    ),
    path("versions/<int:pk>/enrol/", views.enrol, name="enrol"),
    path("versions/<int:pk>/publish/", views.version_publish, name="version-publish"),
    path("versions/<int:pk>/rule/", views.rule_builder, name="rule-builder"),
    path("versions/<int:pk>/rule/edit/", views.rule_edit, name="rule-edit"),
    path("versions/<int:pk>/rule/preview/", views.rule_preview, name="rule-preview"),
    path("versions/<int:pk>/simulate/", views.simulate, name="simulate"),
    path("versions/<int:pk>/reevaluate/", views.reevaluate, name="reevaluate"),
    path("versions/<int:pk>/move-cohort/", views.cohort_move, name="cohort-move"),
    path(
        "versions/<int:pk>/enrol-cohort/",
        roster_views.cohort_enrol,
        name="cohort-enrol",
    ),
    path(
        "organizations/<slug:slug>/roster/",
        roster_views.roster_upload,
        name="roster",
    ),
    path("rosters/<int:pk>/", roster_views.roster_detail, name="roster-detail"),
    path("rosters/<int:pk>/start/", roster_views.roster_start, name="roster-start"),
    path("reevaluations/<int:pk>/", views.reevaluation_detail, name="reevaluation"),
]
