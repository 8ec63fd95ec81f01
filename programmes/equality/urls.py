"""Equality monitoring: a person's own answers, and the figures for leads."""

from django.urls import path

from programmes.equality import views

app_name = "equality"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("remove/", views.remove, name="remove"),
    path("figures/", views.figures, name="figures"),
    path("figures/export/<slug:fmt>/", views.figures_export, name="figures-export"),
]
