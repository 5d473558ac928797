"""Pages of the origin authority's pool work, mounted at /workers/ before the pages of the worker profiles."""

from django.urls import path

from corridor.workers import pool_views

app_name = "workers_pool"

urlpatterns = [
    path("duplicates/", pool_views.duplicate_list, name="duplicates"),
    path("duplicates/<int:pk>/", pool_views.duplicate_detail, name="duplicate"),
    path("import/", pool_views.worker_import, name="import"),
]
