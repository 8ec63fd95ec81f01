"""Programmes URLs: the programme lead's side and the practice side (reviews, goals, reflections,
protected time), each in its own module; the reports' are in ``programmes/reporting/urls.py``, and
the root URLconf puts both in the "programmes" namespace."""

from django.urls import include, path

from programmes.urls import lead, offer, practice

app_name = "programmes"
urlpatterns = [*lead.urlpatterns, *offer.urlpatterns, *practice.urlpatterns,
               path("preceptors/", include("programmes.preceptors.urls"))]
