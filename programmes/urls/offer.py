"""Offering preceptorship to all: the list, a person's offer record and what can be done from it."""

from django.urls import path

from programmes.views import offer

urlpatterns = [
    path("offer/", offer.OfferListView.as_view(), name="offer-list"),
    path("offer/<int:pk>/", offer.OfferPersonView.as_view(), name="offer-person"),
    path("offer/<int:pk>/mark/", offer.MarkView.as_view(), name="offer-mark"),
    path("offer/<int:pk>/marks/<int:mark_pk>/remove/", offer.mark_remove, name="offer-mark-remove"),
    path("offer/<int:pk>/decline/", offer.DeclineView.as_view(), name="offer-decline"),
    path("offer/<int:pk>/declines/<int:decline_pk>/undo/", offer.decline_undo, name="offer-decline-undo"),
    path("offer/<int:pk>/enrol/", offer.OfferEnrolView.as_view(), name="offer-enrol"),
]
