from django.urls import path

from corridor.mobility import views

app_name = "mobility"

urlpatterns = [
    path("", views.index, name="index"),
    path("me/", views.me, name="me"),
    path("employer/", views.employer, name="employer"),
    path("changes/", views.changes, name="changes"),
    path("openings/<int:pk>/apply/", views.apply, name="apply"),
    path("openings/<int:pk>/close/", views.close, name="close"),
    path("applications/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("applications/<int:pk>/accept/", views.accept, name="accept"),
    path("applications/<int:pk>/decline/", views.decline, name="decline"),
    path("applications/<int:pk>/complete/", views.complete, name="complete"),
]
