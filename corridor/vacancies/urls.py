from django.urls import path

from corridor.vacancies import views

app_name = "vacancies"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("new/", views.report_new, name="new"),
    path("aggregate/", views.aggregate_view, name="aggregate"),
    path("aggregate.csv", views.aggregate_csv, name="aggregate_csv"),
    path("<int:pk>/withdraw/", views.report_withdraw, name="withdraw"),
]
