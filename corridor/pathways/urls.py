from django.urls import path

from corridor.pathways import views

app_name = "pathways"

urlpatterns = [
    path("", views.index, name="index"),
    path("export.csv", views.export, name="export"),
    path("me/", views.me, name="me"),
    path("certificates/", views.certificates, name="certificates"),
    path("certificates/attest/", views.attest, name="attest"),
    path("certificates/<int:pk>/", views.certificate, name="certificate"),
    path("certificates/<int:pk>/issue/", views.certificate_issue, name="issue"),
    path("certificates/<int:pk>/revoke/", views.certificate_revoke, name="revoke"),
    path("certificates/<int:pk>/pdf/", views.certificate_pdf, name="pdf"),
    path("referrals/", views.referrals, name="referrals"),
    path("referrals/<int:pk>/outcome/", views.referral_outcome, name="outcome"),
    path("verify/", views.verify, name="verify"),
]
