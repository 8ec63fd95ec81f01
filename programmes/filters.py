"""Filters for the enrolment lists (django-filter): the programme lead's list of every enrolment on
their programmes, and the mentor's caseload and the line manager's team.

Nothing here lists every person of an organisation or an ICS: mentors are found by a name search
(the lists stay as fast at the size of a whole ICS as for one team), and ``?mentor=<id>`` still
narrows to one mentor exactly when a page links to it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.forms.models import ModelChoiceIterator, ModelChoiceIteratorValue
from django.utils import timezone

from preceptorship.forms import ListedChoiceIterator, person_search
from preceptorship.models import Organisation, Profession, User
from programmes.access import lead_organisation_ids
from programmes.models import Enrolment, Programme, Transition


def _search_input() -> forms.TextInput:
    return forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"})


class ListedChoices(ListedChoiceIterator, django_filters.fields.ModelChoiceIterator):
    """A filter's short choice list (``preceptorship.forms.ListedChoiceIterator``), with
    django-filter's "none" choice; the names come from ``field.listed`` when the filter set reads
    several lists at once (``list_plainly``, ``list_from_rows``)."""

    def listed(self) -> Any:
        if self.field.null_label is not None:
            yield (self.field.null_value, self.field.null_label)
        if self.field.listed is None:
            yield from super().listed()
            return
        for pk, name in self.field.listed():
            yield ModelChoiceIteratorValue(pk, None), name


class ListedChoiceField(django_filters.fields.ModelChoiceField):
    iterator: type[ModelChoiceIterator] = ListedChoices
    listed: Callable[[], list[tuple[int, str]]] | None = None


class ListedChoiceFilter(django_filters.ModelChoiceFilter):
    """A choice of one record, named by its ``name``, among a short list (``ListedChoices``)."""

    field_class = ListedChoiceField


def list_plainly(filterset: django_filters.FilterSet, *names: str) -> None:
    """Read the choices of the ListedChoiceFilters ``names`` when the form is rendered, each with a
    plain query of ids and names in order of name (a UNION of the lists costs more to build than
    the plain queries take to run). Choosing one is still checked against its filter's queryset."""
    for name in names:
        queryset = filterset.filters[name].queryset
        filterset.filters[name].field.listed = lambda queryset=queryset: list(
            queryset.order_by("name").values_list("pk", "name"))


def list_from_rows(filterset: django_filters.FilterSet, rows: QuerySet[Enrolment], lists: dict[str, str]) -> None:
    """The choices of the ListedChoiceFilters ``lists`` (filter name: the rows' lookup of the chosen
    record, e.g. ``"preceptee__profession"``), when the form is rendered: the records the rows hold,
    each list by name, read in one query of the rows' distinct records (a caseload or a team holds a
    few programmes, professions and employers). Choosing one is still checked against its filter's
    queryset."""
    found: dict[str, list[tuple[int, str]]] = {}

    def read(name: str) -> list[tuple[int, str]]:
        if not found:
            columns = [column for lookup in lists.values() for column in (f"{lookup}_id", f"{lookup}__name")]
            records: dict[str, set[tuple[int, str]]] = {n: set() for n in lists}
            for values in rows.order_by().values_list(*columns).distinct():
                for index, list_name in enumerate(lists):
                    pk, label = values[2 * index], values[2 * index + 1]
                    if pk is not None:
                        records[list_name].add((pk, label))
            found.update({n: sorted(records[n], key=lambda record: (record[1], record[0])) for n in lists})
        return found[name]

    for name in lists:
        filterset.filters[name].field.listed = functools.partial(read, name)


class _SharedEnrolmentFilters(django_filters.FilterSet):
    """The filters every enrolment list offers, whoever reads it; ``field_order`` places them
    among each list's own."""

    field_order: list[str] = []

    profession = ListedChoiceFilter(
        field_name="preceptee__profession", queryset=Profession.objects.all(), empty_label="All professions"
    )
    transition = django_filters.ChoiceFilter(
        choices=Transition.choices, empty_label="Any transition", label="Transition reason"
    )
    mentor_name = django_filters.CharFilter(
        method="filter_mentor_name", label="Mentor's name", widget=_search_input(),
        help_text="Part of a first name, last name or e-mail address",
    )
    # Exact, for links from other pages; kept through the form but not typed.
    mentor = django_filters.ModelChoiceFilter(queryset=User.objects.none(), widget=forms.HiddenInput)

    def get_form_class(self) -> type[forms.Form]:
        order = [name for name in self.field_order if name in self.filters]
        self.filters = {name: self.filters[name] for name in [*order, *(set(self.filters) - set(order))]}
        return super().get_form_class()

    def chosen(self, name: str) -> bool:
        """Whether the query gives a value for the filter ``name`` (whose choice is then checked)."""
        return self.is_bound and bool(self.data.get(name))

    def filter_mentor_name(self, queryset: QuerySet[Enrolment], name: str, value: str) -> QuerySet[Enrolment]:
        return queryset.filter(person_search(value, "mentor__")) if value.strip() else queryset

    def chosen_mentor(self) -> User | None:
        """The mentor a link narrowed the list to, for the page to name (no form is built for a
        list without a query)."""
        if not self.is_bound or "mentor" not in self.data:
            return None
        form = self.form
        return form.cleaned_data.get("mentor") if form.is_valid() else None


class EnrolmentFilter(_SharedEnrolmentFilters):
    """The programme lead's list of every enrolment on their programmes."""

    programme = ListedChoiceFilter(queryset=Programme.objects.none(), empty_label="All programmes")
    status = django_filters.ChoiceFilter(choices=Enrolment.Status.choices, empty_label="Any status")
    organisation = ListedChoiceFilter(
        queryset=Organisation.objects.none(), empty_label="All organisations", label="Employer"
    )
    # A name, not a list: an ICS-wide programme reaches every team of the system.
    team_name = django_filters.CharFilter(
        field_name="team__name", lookup_expr="icontains", label="Team", widget=_search_input(),
        help_text="Part of the team's name",
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

    field_order = ["programme", "status", "profession", "organisation", "team_name", "mentor_name", "transition",
                   "overdue", "sort", "mentor"]

    class Meta:
        model = Enrolment
        fields: list[str] = []

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisations = lead_organisation_ids(user)
        self.filters["programme"].queryset = Programme.objects.filter(organisation_id__in=organisations).only("name")
        led = Enrolment.objects.filter(programme__organisation_id__in=organisations)
        # Programmes open to the ICS enrol people of other organisations too. DISTINCT in the
        # subquery leads PostgreSQL to read the lead's enrolments once (by programme), instead of
        # probing every organisation's enrolments in turn, a cost that grows with every enrolment.
        self.filters["organisation"].queryset = Organisation.objects.filter(
            pk__in=led.order_by().values("organisation_id").distinct()).only("name")
        self.filters["profession"].queryset = Profession.objects.only("name")
        # Read only when a link gives a mentor (a hidden field never lists its choices): built only then.
        if self.chosen("mentor"):
            self.filters["mentor"].queryset = User.objects.filter(pk__in=led.values("mentor_id"))
        self.filters["status"].label = "Status"
        list_plainly(self, "programme", "profession", "organisation")

    def filter_overdue(self, queryset: QuerySet[Enrolment], name: str, value: bool | None) -> QuerySet[Enrolment]:
        if not value:
            return queryset
        return queryset.filter(Q(status=Enrolment.Status.ACTIVE) & Q(next_review_due__lt=timezone.localdate()))


class PracticeEnrolmentFilter(_SharedEnrolmentFilters):
    """The mentor's caseload and the line manager's team (overdue first unless sorted)."""

    REVIEW_CHOICES = [("overdue", "Overdue"), ("due_soon", "Due in the next 30 days")]

    programme = ListedChoiceFilter(label="Programme", queryset=Programme.objects.none(), empty_label="Any programme")
    status = django_filters.ChoiceFilter(label="Status", choices=Enrolment.Status.choices, empty_label="Any status")
    review = django_filters.ChoiceFilter(label="Review meeting", choices=REVIEW_CHOICES, method="filter_review",
                                         empty_label="Any")
    organisation = ListedChoiceFilter(
        queryset=Organisation.objects.none(), empty_label="All employers", label="Employer"
    )
    sort = django_filters.OrderingFilter(
        label="Sort by", empty_label="Overdue first",
        fields=(("next_review_due", "next_review"), ("preceptee__last_name", "name"), ("start_date", "start")),
        field_labels={"next_review_due": "Next review", "preceptee__last_name": "Name", "start_date": "Start date"},
    )

    field_order = ["programme", "status", "review", "profession", "organisation", "transition", "mentor_name",
                   "sort", "mentor"]

    class Meta:
        model = Enrolment
        fields: list[str] = []

    def __init__(self, *args: Any, rows: QuerySet[Enrolment], by_mentor: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only what the rows hold: a caseload spans a few programmes, professions and employers.
        # The lists come from the rows; each queryset checks a choice, and is read only when one is
        # made: built only then (each costs more to build than the rest of the filter set).
        checks: dict[str, tuple[type[Any], str]] = {
            "programme": (Programme, "programme_id"), "profession": (Profession, "preceptee__profession_id"),
            "organisation": (Organisation, "organisation_id"), "mentor": (User, "mentor_id"),
        }
        for name, (model, column) in checks.items():
            self.filters[name].queryset = (model.objects.filter(pk__in=rows.order_by().values(column))
                                           if self.chosen(name) else model.objects.none())
        list_from_rows(self, rows, {"programme": "programme", "profession": "preceptee__profession",
                                    "organisation": "organisation"})
        if not by_mentor:  # a mentor's own caseload: every row is theirs
            del self.filters["mentor_name"], self.filters["mentor"]

    def filter_review(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        today = timezone.localdate()
        active = queryset.filter(status=Enrolment.Status.ACTIVE, next_review_due__isnull=False)
        if value == "overdue":
            return active.filter(next_review_due__lt=today)
        return active.filter(next_review_due__gte=today, next_review_due__lte=today + timezone.timedelta(days=30))
