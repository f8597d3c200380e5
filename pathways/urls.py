from django.urls import path

from pathways import views

app_name = "pathways"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("new/", views.pathway_create, name="create"),
    path("versions/<int:pk>/", views.version_detail, name="version-detail"),
    path("versions/<int:pk>/enrol/", views.enrol, name="enrol"),
    path("versions/<int:pk>/publish/", views.version_publish, name="version-publish"),
]
