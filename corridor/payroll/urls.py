from django.urls import path

from corridor.payroll import views

app_name = "payroll"

urlpatterns = [
    path("", views.index, name="index"),
    path("me/", views.me, name="me"),
    path("new/", views.new, name="new"),
    path("upload/", views.upload, name="upload"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/dispute/", views.dispute, name="dispute"),
]
