from django.urls import path

from corridor.programmes import views

app_name = "programmes"

urlpatterns = [
    path("", views.programme_list, name="list"),
    path("new/", views.programme_create, name="create"),
    path("<str:code>/", views.programme_detail, name="detail"),
    path("<str:code>/edit/", views.programme_edit, name="edit"),
    path("<str:code>/status/", views.programme_status, name="status"),
    path("<str:code>/agreement/", views.agreement_download, name="agreement"),
    path("<str:code>/agreement/upload/", views.agreement_upload, name="agreement_upload"),
    path("<str:code>/corridors/new/", views.corridor_add, name="corridor_add"),
    path("<str:code>/corridors/<str:origin>/toggle/", views.corridor_toggle, name="corridor_toggle"),
    path("<str:code>/rules/new/", views.rule_version_new, name="rules_new"),
    path("<str:code>/rules/check/", views.rules_check, name="rules_check"),
    path("<str:code>/rules/<int:number>/", views.rule_version_detail, name="rule_version"),
    path("<str:code>/rules/<int:number>/edit/", views.rule_version_edit, name="rules_edit"),
    path("<str:code>/history/", views.programme_history, name="history"),
]
