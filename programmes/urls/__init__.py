"""Programmes URLs: the programme lead's side, the practice side (reviews, goals, reflections,
protected time) and the reports, each in its own module of this package."""

from programmes.urls import lead, practice, reports

app_name = "programmes"
urlpatterns = [*lead.urlpatterns, *practice.urlpatterns, *reports.urlpatterns]
