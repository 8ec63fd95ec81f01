from django.urls import path

from preceptorship.two_step import views

app_name = "two_step"

urlpatterns = [
    path("sign-in/two-step/", views.verify, name="verify"),
    path("sign-in/two-step/set-up/", views.set_up, name="set-up"),
    path("sign-in/two-step/recovery-codes/", views.recovery_codes, name="recovery-codes"),
    path("sign-in/two-step/recovery-codes/download/", views.recovery_codes_download, name="recovery-codes-download"),
    path("profile/two-step/", views.manage, name="manage"),
    path("profile/two-step/new-recovery-codes/", views.recovery_codes_new, name="recovery-codes-new"),
    path("profile/two-step/replace-app/", views.replace, name="replace"),
]
