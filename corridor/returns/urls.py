from django.urls import path

from corridor.returns import views

app_name = "returns"

urlpatterns = [
    path("", views.index, name="index"),
    path("register/", views.register, name="register"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/evidence/", views.evidence, name="evidence"),
    path("me/", views.me, name="me"),
    path("payouts/", views.payouts, name="payouts"),
    path("payouts/<int:pk>/answer/", views.payout_answer, name="payout_answer"),
    path("overstay/", views.overstay, name="overstay"),
    path("overstay/<int:pk>/", views.overstay_detail, name="overstay_detail"),
    path("evaluations/", views.evaluations, name="evaluations"),
    path("evaluations/journey/<int:pk>/", views.evaluate_employer, name="evaluate_employer"),
    path("evaluations/<int:pk>/respond/", views.respond, name="respond"),
    path("retaliation/", views.retaliation, name="retaliation"),
    path("retaliation/<int:pk>/", views.retaliation_detail, name="retaliation_detail"),
]
