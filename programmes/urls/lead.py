"""The programme lead's side: programmes, enrolling, enrolments, mentors, and the enrolment page
with its actions (pause, extend, withdraw, completion, certificate, evaluation)."""

from django.urls import path

from programmes.views import cohorts, completion, enrolments
from programmes.views import programmes as programme_views

urlpatterns = [
    path("", programme_views.ProgrammeListView.as_view(), name="programme-list"),
    path("new/", programme_views.ProgrammeFormView.as_view(), name="programme-create"),
    path("<int:pk>/", programme_views.ProgrammeDetailView.as_view(), name="programme-detail"),
    path("<int:pk>/edit/", programme_views.ProgrammeFormView.as_view(), name="programme-edit"),
    path("<int:pk>/close/", programme_views.programme_close, name="programme-close"),
    path("<int:pk>/delete/", programme_views.programme_delete, name="programme-delete"),
    path("<int:pk>/enrol/", enrolments.EnrolView.as_view(), name="programme-enrol"),
    path("<int:pk>/enrol/cohort/", cohorts.CohortEnrolView.as_view(), name="programme-enrol-cohort"),
    path("enrolments/", enrolments.EnrolmentListView.as_view(), name="enrolment-list"),
    path("enrolments/<int:pk>/", enrolments.EnrolmentDetailView.as_view(), name="enrolment-detail"),
    path("enrolments/<int:pk>/pause/", enrolments.PauseView.as_view(), name="enrolment-pause"),
    path("enrolments/<int:pk>/resume/", enrolments.enrolment_resume, name="enrolment-resume"),
    path("enrolments/<int:pk>/extend/", enrolments.ExtendView.as_view(), name="enrolment-extend"),
    path("enrolments/<int:pk>/withdraw/", enrolments.WithdrawView.as_view(), name="enrolment-withdraw"),
    path("enrolments/<int:pk>/people/", enrolments.ChangePeopleView.as_view(), name="enrolment-people"),
    path("enrolments/<int:pk>/completion/", completion.ConfirmCompletionView.as_view(), name="completion-confirm"),
    path("enrolments/<int:pk>/outcome/", completion.OutcomeView.as_view(), name="completion-outcome"),
    path("enrolments/<int:pk>/certificate/", completion.certificate, name="certificate"),
    path("enrolments/<int:pk>/evaluation/", completion.EvaluationView.as_view(), name="evaluation"),
    path("mentors/", programme_views.MentorListView.as_view(), name="mentor-list"),
]
