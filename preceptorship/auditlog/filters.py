"""The audit log's filters (django-filter): who, which action, which kind of record, whom it is
about, and a range of days.

People are found by a name or e-mail search, never chosen from a list: a list of everyone who ever
changed anything would be long, and for a programme lead would name people of other organisations.
"""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django import forms
from django.apps import apps
from django.contrib import admin
from django.db.models import QuerySet
from django.utils import timezone

from preceptorship import access, audit
from preceptorship.forms import person_search, refuse_control_characters
from preceptorship.widgets import NHSDateField

# The apps whose records the log names (django's own, such as sessions, never appear in it).
PRODUCT_APPS = ("preceptorship", "progression", "programmes", "reporting")


def record_kinds() -> list[tuple[str, str]]:
    """The kinds of record entries are written about: those the services audit and those the admin
    pages change, by their name."""
    known = set(audit.registered_types())
    kinds = []
    for model in apps.get_models():
        label = model._meta.label_lower
        if model._meta.app_label in PRODUCT_APPS and (label in known or admin.site.is_registered(model)):
            kinds.append((label, str(model._meta.verbose_name).capitalize()))
    return sorted(kinds, key=lambda kind: kind[1])


def kind_name(label: str) -> str:
    """A record kind's name for people ("programmes.enrolment" is "Enrolment")."""
    try:
        return str(apps.get_model(label)._meta.verbose_name).capitalize()
    except (LookupError, ValueError):
        return label


def _search(label: str, method: str, help_text: str) -> django_filters.CharFilter:
    return django_filters.CharFilter(
        label=label, method=method, help_text=help_text, max_length=100, validators=[refuse_control_characters],
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class NHSDateFilter(django_filters.DateFilter):
    field_class = NHSDateField


class AuditFilterForm(forms.Form):
    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The last day must be the same as or after the first day")
        return data


class AuditEntryFilter(django_filters.FilterSet):
    actor = _search("Who made the change", "filter_actor",
                    'Part of their name or e-mail address, or "system" for changes nobody made by hand')
    action = _search("Action", "filter_action", "Its name or the start of it, for example enrolment.pause or review")
    kind = django_filters.ChoiceFilter(label="Kind of record", field_name="object_type", choices=record_kinds,
                                       empty_label="Any kind of record")
    subject = _search("The person it is about", "filter_subject", "Part of their name or e-mail address")
    date_from = NHSDateFilter(label="From", method="filter_from",
                              help_text="The first day, for example 1 4 2026")
    date_to = NHSDateFilter(label="To", method="filter_to",
                            help_text="The last day, for example 30 4 2026")

    class Meta:
        form = AuditFilterForm
        fields: list[str] = []

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user is not None and not access.is_administrator(user):
            # A lead is offered only the kinds of record their log can hold.
            hidden = set(audit.administrators_only_types())
            self.filters["kind"].extra["choices"] = [kind for kind in record_kinds() if kind[0] not in hidden]

    def filter_actor(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value.strip().lower() in {"system", "the system"}:
            return queryset.filter(actor__isnull=True)
        return queryset.filter(person_search(value, "actor__"))

    def filter_subject(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(person_search(value, "subject__"))

    def filter_action(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(action__startswith=value.strip().lower())

    def filter_from(self, queryset: QuerySet, name: str, value: datetime.date) -> QuerySet:
        return queryset.filter(at__gte=_start_of(value))

    def filter_to(self, queryset: QuerySet, name: str, value: datetime.date) -> QuerySet:
        return queryset.filter(at__lt=_start_of(value + datetime.timedelta(days=1)))

    def described(self) -> dict[str, str]:
        """The filters applied, as the download's audit entry names them."""
        if not self.form.is_valid():
            return {}
        return {name: str(value) for name, value in self.form.cleaned_data.items() if value not in (None, "")}


def _start_of(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of the day, in the site's time zone (the day people mean)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
