from django.urls import path

from reviews import views

app_name = "reviews"
urlpatterns = [
    path("reviews/", views.dashboard, name="dashboard"),
    path("reviews/boards/", views.board_list, name="board-list"),
    path("reviews/boards/<int:pk>/", views.board_detail, name="board-detail"),
    path("reviews/invitations/<str:token>/", views.invitation, name="invitation"),
    path("reviews/submit/<str:kind>/<int:pk>/", views.submit, name="submit"),
    path("reviews/overdue/", views.overdue, name="overdue"),
    path(
        "reviews/start-draft/<str:kind>/<int:pk>/",
        views.start_draft,
        name="start-draft",
    ),
    path("reviews/<int:pk>/", views.review_detail, name="review-detail"),
    path("reviews/<int:pk>/declare/", views.declare, name="declare"),
    path("reviews/<int:pk>/comments/", views.comment_add, name="comment-add"),
    path("reviews/<int:pk>/vote/", views.vote, name="vote"),
    path("reviews/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path(
        "reviews/comments/<int:pk>/respond/",
        views.comment_respond,
        name="comment-respond",
    ),
    path(
        "history/<slug:organization>/<str:kind>/<str:code>/",
        views.history,
        name="history",
    ),
]
