from django.contrib.auth import views as auth_views
from django.urls import path

from corridor.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("second-factor/", views.second_factor, name="second_factor"),
    path("tokens/", views.api_tokens, name="api_tokens"),
    path("organisations/", views.organisations, name="organisations"),
    path("users/", views.users, name="users"),
    path("tokens/<str:prefix>/revoke/", views.api_token_revoke, name="api_token_revoke"),
]
