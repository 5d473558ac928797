from django.urls import path

from corridor.wages import views

app_name = "wages"

urlpatterns = [
    path("", views.wage_table, name="table"),
    path("prevailing/import/", views.prevailing_import, name="prevailing_import"),
    path("minimum/import/", views.minimum_import, name="minimum_import"),
    path("floor/", views.floor_calculator, name="floor"),
]
