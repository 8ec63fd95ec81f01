from django.urls import path

from preceptorship.identity import views

app_name = "identity"

urlpatterns = [
    path(
        "sign-in/organisation/",
        views.allow_sign_in_at_providers(views.OrganisationSignInView.as_view()),
        name="start",
    ),
    path("sign-in/organisation/callback/", views.CallbackView.as_view(), name="callback"),
]
