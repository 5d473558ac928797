from django.urls import path

from corridor.joborders import import_views, views

app_name = "joborders"

urlpatterns = [
    path("", views.job_order_list, name="list"),
    path("new/", views.job_order_new, name="new"),
    path("new/origins/", views.origin_choices, name="origins"),
    path("check/", views.check_new, name="check"),
    path("review/", views.review_queue, name="review_queue"),
    path("verify/", views.verification_queue, name="verification_queue"),
    path("quotas/", views.quotas, name="quotas"),
    path("import/", import_views.job_order_import, name="import"),
    path("import-employers/", import_views.employer_import, name="import_employers"),
    path("board/", views.board, name="board"),
    path("board/<str:reference>/", views.board_detail, name="board_detail"),
    path("<int:pk>/", views.job_order_detail, name="detail"),
    path("<int:pk>/edit/", views.job_order_edit, name="edit"),
    path("<int:pk>/check/", views.check_order, name="check_order"),
    path("<int:pk>/adverts/", views.advert_add, name="advert_add"),
    path("<int:pk>/submit/", views.act, {"action": "submit"}, name="submit"),
    path("<int:pk>/review/", views.act, {"action": "review"}, name="review"),
    path("<int:pk>/approve/", views.act, {"action": "approve"}, name="approve"),
    path("<int:pk>/return/", views.act, {"action": "return"}, name="return"),
    path("<int:pk>/verify/", views.act, {"action": "verify"}, name="verify"),
    path("<int:pk>/fill/", views.act, {"action": "fill"}, name="fill"),
    path("<int:pk>/close/", views.act, {"action": "close"}, name="close"),
    path("<int:pk>/cancel/", views.act, {"action": "cancel"}, name="cancel"),
]
