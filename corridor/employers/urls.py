from django.urls import path

from corridor.employers import views

app_name = "employers"

urlpatterns = [
    path("sign-up/", views.sign_up, name="sign_up"),
    path("register/", views.register, name="register"),
    path("me/", views.me, name="me"),
    path("review/", views.review_queue, name="review_queue"),
    path("housing/new/", views.housing_new, name="housing_new"),
    path("housing/<int:pk>/", views.housing_detail, name="housing"),
    path("housing/<int:pk>/edit/", views.housing_edit, name="housing_edit"),
    path("housing/<int:pk>/inspect/", views.inspection_new, name="inspect"),
    path("<int:pk>/", views.employer_detail, name="detail"),
    path("<int:pk>/apply/", views.apply, name="apply"),
    path("<int:pk>/worksites/new/", views.worksite_add, name="worksite_add"),
    path("<int:pk>/programmes/<str:code>/review/", views.review, name="review"),
]
