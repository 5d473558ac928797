from django.urls import path

from corridor.deployment import views

app_name = "deployment"

urlpatterns = [
    path("", views.index, name="index"),
    path("start/", views.start, name="start"),
    path("me/", views.me, name="me"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<int:pk>/resolve/", views.alert_resolve, name="alert_resolve"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/predeparture/", views.predeparture, name="predeparture"),
    path("<int:pk>/clear/", views.clear, name="clear"),
    path("<int:pk>/depart/", views.depart, name="depart"),
    path("<int:pk>/return/", views.return_, name="return"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/permit/", views.permit, name="permit"),
    path("<int:pk>/overstay/", views.overstay, name="overstay"),
    path("<int:pk>/status-change/", views.status_change, name="status_change"),
    path("<int:pk>/arrival/", views.arrival, name="arrival"),
    path("<int:pk>/terms/", views.terms, name="terms"),
    path("<int:pk>/change-employer/", views.employer_change, name="employer_change"),
]
