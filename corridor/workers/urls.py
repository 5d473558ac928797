from django.urls import path

from corridor.workers import views

app_name = "workers"

urlpatterns = [
    path("", views.worker_list, name="list"),
    path("register/", views.register, name="register"),
    path("claim/", views.claim, name="claim"),
    path("me/", views.me, name="me"),
    path("me/consents/", views.consents, name="consents"),
    path("me/consents/give/", views.consent_give, name="consent_give"),
    path("me/consents/<int:pk>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("me/export.json", views.export, name="export"),
    path("new/", views.register_on_behalf, name="new"),
    path("unconfirmed/", views.unconfirmed, name="unconfirmed"),
    path("<str:public_id>/", views.worker_detail, name="detail"),
    path("<str:public_id>/edit/", views.identity_edit, name="edit"),
    path("<str:public_id>/contact/", views.contact_edit, name="contact"),
    path("<str:public_id>/orientation/", views.orientation_edit, name="orientation"),
    path("<str:public_id>/documents/<int:pk>/scan/", views.document_scan, name="scan"),
    path("<str:public_id>/<slug:part>/new/", views.part_edit, name="part_new"),
    path("<str:public_id>/<slug:part>/<int:pk>/edit/", views.part_edit, name="part_edit"),
    path("<str:public_id>/<slug:part>/<int:pk>/remove/", views.part_remove, name="part_remove"),
    path("<str:public_id>/<slug:action>/", views.decide, name="decide"),
]
