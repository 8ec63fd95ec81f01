"""Dashboards, the mentor directory and exports (programme leads and ICS leads)."""

from django.urls import path

from programmes.reporting import scorecards, views

urlpatterns = [
    path("reports/dashboard/", views.dashboard, name="dashboard"),
    path("reports/dashboard/export/<slug:table>/<slug:fmt>/", views.dashboard_export, name="dashboard-export"),
    path("reports/enrolments/export/<slug:fmt>/", views.enrolments_export, name="enrolments-export"),
    path("reports/exports/<int:pk>/", views.export_job, name="export-job"),
    path("reports/exports/<int:pk>/status/", views.export_job_status, name="export-job-status"),
    path("reports/exports/<int:pk>/retry/", views.export_job_retry, name="export-job-retry"),
    path("reports/exports/<int:pk>/download/", views.export_job_download, name="export-job-download"),
    path("reports/ics/", views.ics_dashboard, name="ics-dashboard"),
    path("reports/ics/organisations/<int:pk>/", views.ics_organisation, name="ics-organisation"),
    path("reports/ics/export/<slug:table>/<slug:fmt>/", views.ics_export, name="ics-export"),
    path("reports/standards/", scorecards.lead_scorecard, name="standards"),
    path("reports/standards/export/<slug:fmt>/", scorecards.lead_scorecard_export, name="standards-export"),
    path("reports/standards/sets/<int:pk>/copy/", scorecards.standard_set_copy, name="standard-set-copy"),
    path("reports/standards/criteria/<int:pk>/", scorecards.criterion_change, name="criterion-change"),
    path("reports/ics/standards/", scorecards.ics_scorecard, name="ics-standards"),
    path("reports/ics/standards/export/<slug:fmt>/", scorecards.ics_scorecard_export, name="ics-standards-export"),
    path("reports/mentors/", views.mentor_directory, name="mentor-directory"),
    path("reports/mentors/export/<slug:fmt>/", views.mentor_directory_export, name="mentor-directory-export"),
]
