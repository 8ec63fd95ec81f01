"""The practice side: caseload, team, review meetings, goals, reflections, protected time and the
needs assessment."""

from django.urls import URLPattern, path

from programmes.views import caseload, goals, protected_time, reflections, reviews

urlpatterns: list[URLPattern] = [
    path("caseload/", caseload.CaseloadView.as_view(), name="caseload"),
    path("team/", caseload.TeamView.as_view(), name="team"),
    path("my-preceptorship/", caseload.MyPreceptorshipView.as_view(), name="my-preceptorship"),
    # Review meetings
    path("enrolments/<int:pk>/reviews/", reviews.ReviewListView.as_view(), name="review-list"),
    path("enrolments/<int:pk>/reviews/record/", reviews.ReviewRecordView.as_view(), name="review-record"),
    path("enrolments/<int:pk>/reviews/draft/discard/", reviews.review_draft_discard, name="review-draft-discard"),
    path("enrolments/<int:pk>/reviews/not-held/", reviews.ReviewNotHeldView.as_view(), name="review-not-held"),
    path("reviews/<int:pk>/", reviews.ReviewDetailView.as_view(), name="review-detail"),
    path("reviews/<int:pk>/correct/", reviews.ReviewCorrectView.as_view(), name="review-correct"),
    path("reviews/<int:pk>/addendum/", reviews.review_addendum, name="review-addendum"),
    path("reviews/<int:pk>/acknowledge/", reviews.review_acknowledge, name="review-acknowledge"),
    # Goals
    path("enrolments/<int:pk>/goals/", goals.GoalListView.as_view(), name="goal-list"),
    path("enrolments/<int:pk>/goals/new/", goals.GoalCreateView.as_view(), name="goal-create"),
    path("goals/<int:pk>/", goals.GoalDetailView.as_view(), name="goal-detail"),
    path("goals/<int:pk>/change/", goals.GoalUpdateView.as_view(), name="goal-update"),
    path("goals/<int:pk>/progress/", goals.goal_progress, name="goal-progress"),
    # Reflections
    path("enrolments/<int:pk>/reflections/", reflections.ReflectionListView.as_view(), name="reflection-list"),
    path("enrolments/<int:pk>/reflections/new/", reflections.ReflectionCreateView.as_view(), name="reflection-create"),
    path("reflections/<int:pk>/", reflections.ReflectionDetailView.as_view(), name="reflection-detail"),
    path("reflections/<int:pk>/change/", reflections.ReflectionUpdateView.as_view(), name="reflection-update"),
    path("reflections/<int:pk>/share/", reflections.reflection_share, name="reflection-share"),
    path("reflections/<int:pk>/feedback/", reflections.reflection_feedback, name="reflection-feedback"),
    path("enrolments/<int:pk>/reflections/autosave/", reflections.reflection_autosave_new,
         name="reflection-autosave-new"),
    path("reflections/<int:pk>/autosave/", reflections.reflection_autosave, name="reflection-autosave"),
    # Protected time and needs assessment
    path("enrolments/<int:pk>/protected-time/", protected_time.ProtectedTimeView.as_view(), name="protected-time"),
    path("enrolments/<int:pk>/protected-time/log/", protected_time.ProtectedTimeLogView.as_view(),
         name="protected-time-log"),
    path("protected-time/<int:pk>/correct/", protected_time.ProtectedTimeCorrectView.as_view(),
         name="protected-time-correct"),
    path("protected-time/<int:pk>/delete/", protected_time.protected_time_delete, name="protected-time-delete"),
    path("enrolments/<int:pk>/needs-assessment/", protected_time.NeedsAssessmentView.as_view(),
         name="needs-assessment"),
    path("enrolments/<int:pk>/needs-assessment/change/", protected_time.NeedsAssessmentEditView.as_view(),
         name="needs-assessment-edit"),
]
