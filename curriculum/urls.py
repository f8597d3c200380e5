from django.urls import path

from curriculum import views

app_name = "curriculum"
urlpatterns = [
    path("", views.module_list, name="module-list"),
    path("modules/new/", views.module_create, name="module-create"),
    path("versions/<int:pk>/", views.version_detail, name="version-detail"),
    path("versions/<int:pk>/outcomes/", views.outcome_add, name="outcome-add"),
    path("versions/<int:pk>/publish/", views.version_publish, name="version-publish"),
]
