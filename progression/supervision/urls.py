"""Supervision notes on progression cases (the practitioner and their line manager)."""

from django.urls import path

from progression.supervision import views

app_name = "supervision"
urlpatterns = [
    path("cases/<int:pk>/", views.CaseNotesView.as_view(), name="case-notes"),
    path("cases/<int:pk>/new/", views.NoteAddView.as_view(), name="note-add"),
    path("notes/<int:pk>/", views.NoteDetailView.as_view(), name="note-detail"),
    path("notes/<int:pk>/edit/", views.NoteEditView.as_view(), name="note-edit"),
    path("notes/<int:pk>/objectives/new/", views.ObjectiveAddView.as_view(), name="objective-add"),
    path("objectives/<int:pk>/", views.ObjectiveEditView.as_view(), name="objective-edit"),
]
