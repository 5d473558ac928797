from django.urls import path

from corridor.recruitment import ledger_views as views

app_name = "costs"

urlpatterns = [
    path("", views.home, name="home"),
    path("mine/", views.mine, name="mine"),
    path("mine/add/", views.add_mine, name="add_mine"),
    path("ledger/", views.ledger_list, name="ledger"),
    path("record/", views.record, name="record"),
    path("refunds/", views.refunds, name="refunds"),
    path("refunds/<int:pk>/paid/", views.refund_paid, name="refund_paid"),
    path("refunds/<int:pk>/draw/", views.refund_draw, name="refund_draw"),
    path("agencies/", views.agencies, name="agencies"),
    path("earnings/", views.earnings, name="earnings"),
    path("sdg-10-7-1/", views.sdg, name="sdg"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/receipt/", views.receipt, name="receipt"),
    path("<int:pk>/debtor/", views.name_debtor, name="name_debtor"),
]
