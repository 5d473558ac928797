from django.urls import path

from corridor.selection import views

app_name = "selection"

urlpatterns = [
    path("", views.rounds, name="rounds"),
    path("rounds/new/", views.round_create, name="round_create"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/dry-run/", views.run_dry, name="run_dry"),
    path("rounds/<int:pk>/publish/", views.run_publish, name="run_publish"),
    path("rounds/<int:pk>/close/", views.round_close, name="round_close"),
    path("rounds/<int:pk>/appeals/", views.appeals, name="appeals"),
    path("rounds/<int:pk>/employer/", views.employer_round, name="employer"),
    path("rounds/<int:pk>/nominations/", views.nominate, name="nominate"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("appeals/<int:pk>/decide/", views.appeal_decide, name="appeal_decide"),
    path("nominations/<int:pk>/withdraw/", views.nomination_withdraw, name="nomination_withdraw"),
    path("shortlists/<int:pk>/", views.shortlist_decide, name="shortlist_decide"),
    path("me/", views.me, name="me"),
    path("me/rounds/<int:pk>/ranking/", views.ranking_save, name="ranking_save"),
    path("me/rounds/<int:pk>/withdraw/", views.ranking_withdraw, name="ranking_withdraw"),
    path("me/nominations/<int:pk>/", views.nomination_answer, name="nomination_answer"),
    path("me/outcomes/<int:pk>/appeal/", views.appeal_lodge, name="appeal_lodge"),
    path("workers/<str:public_id>/", views.worker_records, name="worker"),
    path("workers/<str:public_id>/seasons/", views.season_add, name="season_add"),
    path("workers/<str:public_id>/skills-tests/", views.skills_test_add, name="skills_test_add"),
]
