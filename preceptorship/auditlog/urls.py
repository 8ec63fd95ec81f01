"""The audit log."""

from django.urls import path

from preceptorship.auditlog import views

app_name = "audit"
urlpatterns = [
    path("", views.AuditLogView.as_view(), name="list"),
]
