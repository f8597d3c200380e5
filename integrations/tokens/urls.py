from django.urls import path

from integrations.tokens import views

urlpatterns = [
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
    path(
        "organizations/<slug:slug>/service-accounts/",
        views.service_account_list,
        name="service-accounts",
    ),
    path(
        "organizations/<slug:slug>/service-accounts/<int:pk>/tokens/",
        views.service_token_create,
        name="service-token-create",
    ),
    path(
        "organizations/<slug:slug>/service-accounts/<int:pk>/tokens/"
        "<int:token_pk>/revoke/",
        views.service_token_revoke,
        name="service-token-revoke",
    ),
    path(
        "organizations/<slug:slug>/service-accounts/<int:pk>/deactivate/",
        views.service_account_deactivate,
        name="service-account-deactivate",
    ),
]
