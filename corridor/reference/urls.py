from django.urls import path

from corridor.reference import views

app_name = "reference"

urlpatterns = [
    path("occupations/", views.occupations, name="occupations"),
    path("occupations/search/", views.occupation_autocomplete, name="occupation_autocomplete"),
    path("isco/<str:code>/", views.isco_group, name="isco_group"),
    path("crosswalks/", views.crosswalks, name="crosswalks"),
    path("crosswalks/import/", views.crosswalk_import, name="crosswalk_import"),
]
