from django.urls import path

from corridor.recruitment import views

app_name = "agencies"

urlpatterns = [
    path("register/", views.register, name="register"),
    path("", views.licences, name="licences"),
    path("apply/", views.apply, name="apply"),
    path("licences/<int:pk>/", views.licence_detail, name="licence"),
    path("licences/<int:pk>/grant/", views.licence_act, {"action": "grant"}, name="grant"),
    path("licences/<int:pk>/refuse/", views.licence_act, {"action": "refuse"}, name="refuse"),
    path("licences/<int:pk>/renew/", views.licence_act, {"action": "renew"}, name="renew"),
    path("licences/<int:pk>/proceedings/", views.licence_act, {"action": "proceeding"}, name="proceeding_open"),
    path("proceedings/<int:pk>/", views.proceeding_detail, name="proceeding"),
    path("proceedings/<int:pk>/respond/", views.proceeding_act, {"action": "respond"}, name="respond"),
    path("proceedings/<int:pk>/decide/", views.proceeding_act, {"action": "decide"}, name="decide"),
    path("proceedings/<int:pk>/appeal/", views.proceeding_act, {"action": "appeal"}, name="appeal"),
    path("proceedings/<int:pk>/decide-appeal/", views.proceeding_act, {"action": "decide_appeal"}, name="decide_appeal"),
    path("links/", views.links, name="links"),
    path("links/<int:pk>/end/", views.link_end, name="link_end"),
    path("ratings/", views.ratings, name="ratings"),
    path("ratings/moderation/", views.moderation, name="moderation"),
    path("ratings/<int:pk>/moderate/", views.moderate, name="moderate"),
    path("ratings/agency/<int:agency_id>/", views.rate, name="rate"),
]
