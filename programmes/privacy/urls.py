"""Subject access exports and erasure (administrators and data protection officers)."""

from django.urls import path

from programmes.privacy import views

app_name = "privacy"
urlpatterns = [
    path("", views.index, name="index"),
    path("people/<int:pk>/", views.person, name="person"),
    path("people/<int:pk>/export/", views.export_request, name="export-request"),
    path("people/<int:pk>/erase/", views.erase, name="erase"),
    path("exports/<int:pk>/", views.export_detail, name="export-detail"),
    path("exports/<int:pk>/status/", views.export_status, name="export-status"),
    path("exports/<int:pk>/download/", views.export_download, name="export-download"),
]
