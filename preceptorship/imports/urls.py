"""Bulk import of staff from HR data."""

from django.urls import path

from preceptorship.imports import views

app_name = "staff"
urlpatterns = [
    path("import/", views.upload, name="import"),
    path("import/template.csv", views.template_file, name="import-template"),
    path("import/<int:pk>/", views.detail, name="import-detail"),
    path("import/<int:pk>/status/", views.status, name="import-status"),
    path("import/<int:pk>/confirm/", views.confirm, name="import-confirm"),
]
