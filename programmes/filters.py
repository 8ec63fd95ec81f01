"""Filters for the programme lead's enrolment list (django-filter)."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone

from preceptorship.models import Organisation, Profession, Team, User
from programmes.access import lead_organisation_ids
from programmes.models import Enrolment, Programme, Transition


class EnrolmentFilter(django_filters.FilterSet):
    programme = django_filters.ModelChoiceFilter(queryset=Programme.objects.none(), empty_label="All programmes")
    status = django_filters.ChoiceFilter(choices=Enrolment.Status.choices, empty_label="Any status")
    profession = django_filters.ModelChoiceFilter(
        field_name="preceptee__profession", queryset=Profession.objects.all(), empty_label="All professions"
    )
    organisation = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.none(), empty_label="All organisations", label="Employer"
    )
    team = django_filters.ModelChoiceFilter(queryset=Team.objects.none(), empty_label="All teams")
    mentor = django_filters.ModelChoiceFilter(queryset=User.objects.none(), empty_label="All mentors")
    transition = django_filters.ChoiceFilter(
        choices=Transition.choices, empty_label="Any transition", label="Transition reason"
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", label="Only enrolments with a review overdue", widget=forms.CheckboxInput
    )
    sort = django_filters.OrderingFilter(
        fields=(("start_date", "start"), ("next_review_due", "review"), ("preceptee__last_name", "name")),
        field_labels={"start": "Start date (oldest first)", "-start": "Start date (newest first)",
                      "review": "Next review due", "-review": "Next review due (latest first)",
                      "name": "Name (A to Z)", "-name": "Name (Z to A)"},
        empty_label="Newest first", label="Sort by",
    )

    class Meta:
        model = Enrolment
        fields: list[str] = []

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisations = lead_organisation_ids(user)
        self.filters["programme"].queryset = Programme.objects.filter(organisation_id__in=organisations)
        led = Enrolment.objects.filter(programme__organisation_id__in=organisations)
        # Programmes open to the ICS enrol people of other organisations too.
        self.filters["organisation"].queryset = Organisation.objects.filter(pk__in=led.values("organisation_id"))
        self.filters["team"].queryset = Team.objects.filter(
            Q(organisation_id__in=organisations) | Q(pk__in=led.values("team_id"))
        ).select_related("organisation")  # a team's name includes its organisation's
        self.filters["mentor"].queryset = User.objects.filter(pk__in=led.values("mentor_id"))
        self.filters["status"].label = "Status"

    def filter_overdue(self, queryset: QuerySet[Enrolment], name: str, value: bool | None) -> QuerySet[Enrolment]:
        if not value:
            return queryset
        return queryset.filter(Q(status=Enrolment.Status.ACTIVE) & Q(next_review_due__lt=timezone.localdate()))
