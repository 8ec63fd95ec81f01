"""The practice side: caseload, team, review meetings, goals, reflections, protected time and the
needs assessment (included by programmes/urls.py under the "programmes" namespace)."""

from django.urls import URLPattern, path

from programmes import views_practice as views

urlpatterns: list[URLPattern] = [
    path("caseload/", views.CaseloadView.as_view(), name="caseload"),
    path("team/", views.TeamView.as_view(), name="team"),
    path("my-preceptorship/", views.MyPreceptorshipView.as_view(), name="my-preceptorship"),
    # Review meetings
    path("enrolments/<int:pk>/reviews/", views.ReviewListView.as_view(), name="review-list"),
    path("enrolments/<int:pk>/reviews/record/", views.ReviewRecordView.as_view(), name="review-record"),
    path("enrolments/<int:pk>/reviews/not-held/", views.ReviewNotHeldView.as_view(), name="review-not-held"),
    path("reviews/<int:pk>/", views.ReviewDetailView.as_view(), name="review-detail"),
    path("reviews/<int:pk>/correct/", views.ReviewCorrectView.as_view(), name="review-correct"),
    path("reviews/<int:pk>/addendum/", views.review_addendum, name="review-addendum"),
    path("reviews/<int:pk>/acknowledge/", views.review_acknowledge, name="review-acknowledge"),
    # Goals
    path("enrolments/<int:pk>/goals/", views.GoalListView.as_view(), name="goal-list"),
    path("enrolments/<int:pk>/goals/new/", views.GoalCreateView.as_view(), name="goal-create"),
    path("goals/<int:pk>/", views.GoalDetailView.as_view(), name="goal-detail"),
    path("goals/<int:pk>/change/", views.GoalUpdateView.as_view(), name="goal-update"),
    path("goals/<int:pk>/progress/", views.goal_progress, name="goal-progress"),
    # Reflections
    path("enrolments/<int:pk>/reflections/", views.ReflectionListView.as_view(), name="reflection-list"),
    path("enrolments/<int:pk>/reflections/new/", views.ReflectionCreateView.as_view(), name="reflection-create"),
    path("reflections/<int:pk>/", views.ReflectionDetailView.as_view(), name="reflection-detail"),
    path("reflections/<int:pk>/change/", views.ReflectionUpdateView.as_view(), name="reflection-update"),
    path("reflections/<int:pk>/share/", views.reflection_share, name="reflection-share"),
    path("reflections/<int:pk>/feedback/", views.reflection_feedback, name="reflection-feedback"),
    path("enrolments/<int:pk>/reflections/autosave/", views.reflection_autosave_new, name="reflection-autosave-new"),
    path("reflections/<int:pk>/autosave/", views.reflection_autosave, name="reflection-autosave"),
    # Protected time and needs assessment
    path("enrolments/<int:pk>/protected-time/", views.ProtectedTimeView.as_view(), name="protected-time"),
    path("enrolments/<int:pk>/protected-time/log/", views.ProtectedTimeLogView.as_view(), name="protected-time-log"),
    path("enrolments/<int:pk>/needs-assessment/", views.NeedsAssessmentView.as_view(), name="needs-assessment"),
    path("enrolments/<int:pk>/needs-assessment/change/", views.NeedsAssessmentEditView.as_view(),
         name="needs-assessment-edit"),
]
