"""The programme lead's side: programmes, enrolling, enrolments, mentors, and the enrolment page
with its actions (pause, extend, withdraw, completion, certificate, evaluation)."""

from django.urls import path

from programmes import views_lead as views

urlpatterns = [
    path("", views.ProgrammeListView.as_view(), name="programme-list"),
    path("new/", views.ProgrammeFormView.as_view(), name="programme-create"),
    path("<int:pk>/", views.ProgrammeDetailView.as_view(), name="programme-detail"),
    path("<int:pk>/edit/", views.ProgrammeFormView.as_view(), name="programme-edit"),
    path("<int:pk>/close/", views.programme_close, name="programme-close"),
    path("<int:pk>/delete/", views.programme_delete, name="programme-delete"),
    path("<int:pk>/enrol/", views.EnrolView.as_view(), name="programme-enrol"),
    path("enrolments/", views.EnrolmentListView.as_view(), name="enrolment-list"),
    path("enrolments/<int:pk>/", views.EnrolmentDetailView.as_view(), name="enrolment-detail"),
    path("enrolments/<int:pk>/pause/", views.PauseView.as_view(), name="enrolment-pause"),
    path("enrolments/<int:pk>/resume/", views.enrolment_resume, name="enrolment-resume"),
    path("enrolments/<int:pk>/extend/", views.ExtendView.as_view(), name="enrolment-extend"),
    path("enrolments/<int:pk>/withdraw/", views.WithdrawView.as_view(), name="enrolment-withdraw"),
    path("enrolments/<int:pk>/people/", views.ChangePeopleView.as_view(), name="enrolment-people"),
    path("enrolments/<int:pk>/completion/", views.ConfirmCompletionView.as_view(), name="completion-confirm"),
    path("enrolments/<int:pk>/outcome/", views.OutcomeView.as_view(), name="completion-outcome"),
    path("enrolments/<int:pk>/certificate/", views.certificate, name="certificate"),
    path("enrolments/<int:pk>/evaluation/", views.EvaluationView.as_view(), name="evaluation"),
    path("mentors/", views.MentorListView.as_view(), name="mentor-list"),
]
