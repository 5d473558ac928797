from django.urls import path

from corridor.contracts import views

app_name = "contracts"

urlpatterns = [
    path("", views.index, name="index"),
    path("me/", views.me, name="me"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/sign/", views.contract_sign, name="sign"),
    path("<int:pk>/approve/", views.contract_approve, name="approve"),
    path("<int:pk>/revoke/", views.contract_revoke, name="revoke"),
    path("<int:pk>/amend/", views.contract_amend, name="amend"),
    path("<int:pk>/answer/", views.contract_answer, name="answer"),
    path("<int:pk>/pdf/", views.contract_pdf, name="pdf"),
    path("placements/<int:pk>/confirm/", views.placement_confirm, name="placement_confirm"),
    path("placements/<int:pk>/decline/", views.placement_decline, name="placement_decline"),
    path("placements/<int:pk>/contract/", views.contract_generate, name="generate"),
    path("runs/<int:pk>/placements/", views.placements_from_run, name="placements_from_run"),
    path("templates/<str:code>/", views.template, name="template"),
]
