"""Programmes URLs: the programme lead's side, the practice side (reviews, goals, reflections,
protected time) and the reports, each in its own module."""

from programmes import urls_lead, urls_practice, urls_reports

app_name = "programmes"
urlpatterns = [*urls_lead.urlpatterns, *urls_practice.urlpatterns, *urls_reports.urlpatterns]
