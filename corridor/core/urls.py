from django.urls import path

from corridor.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("audit/", views.audit_list, name="audit"),
    path("notifications/", views.notifications, name="notifications"),
]
