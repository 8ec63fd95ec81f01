"""The preceptor's side, included under "preceptors/" in the programmes namespace
(``programmes:preceptors:...``)."""

from django.urls import path

from programmes.preceptors import views

app_name = "preceptors"
urlpatterns = [
    path("register/", views.RegisterView.as_view(), name="register"),
    path("register/export/<slug:fmt>/", views.register_export, name="register-export"),
    path("register/<int:pk>/", views.EntryView.as_view(), name="entry"),
    path("register/<int:pk>/training/", views.TrainingView.as_view(), name="training"),
    path("register/<int:pk>/evaluation/", views.EvaluationView.as_view(), name="evaluation"),
    path("organisations/<int:pk>/allowance/", views.AllowanceView.as_view(), name="allowance"),
    path("feedback/", views.feedback, name="feedback"),
    path("mine/", views.mine, name="mine"),
    path("time/", views.TimeGivenView.as_view(), name="time"),
    path("time/<int:pk>/delete/", views.time_given_delete, name="time-delete"),
    path("reviews/<int:pk>/wellbeing/", views.WellbeingView.as_view(), name="wellbeing"),
]
