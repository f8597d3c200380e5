"""Included by accounts/urls.py: the names are in the accounts namespace."""

from django.urls import path

from accounts.people import views

member = "organizations/<slug:slug>/people/<int:user_id>/"

urlpatterns = [
    path("organizations/", views.organization_list, name="organization-list"),
    path(
        "organizations/<slug:slug>/logo/",
        views.organization_logo,
        name="organization-logo",
    ),
    path("organizations/<slug:slug>/people/", views.people, name="people"),
    path("organizations/<slug:slug>/people/invite/", views.invite, name="invite"),
    path(
        "organizations/<slug:slug>/people/invitations/<int:pk>/withdraw/",
        views.withdraw_invitation,
        name="invitation-withdraw",
    ),
    path(member, views.member_detail, name="member-detail"),
    path(member + "roles/", views.grant_role, name="role-grant"),
    path(
        member + "roles/<str:role>/withdraw/",
        views.withdraw_role,
        name="role-withdraw",
    ),
    path(member + "deactivate/", views.deactivate_member, name="member-deactivate"),
    path(member + "reactivate/", views.reactivate_member, name="member-reactivate"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
]
