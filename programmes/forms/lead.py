"""Forms for the programme lead's pages and the enrolment actions.

Forms only collect and check the shape of the input; every rule about the data (capacity,
permitted mentors, overlapping pauses, dates against the enrolment) is checked by the services,
whose ``ValidationError`` messages the views put beside the fields.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Case, Q, QuerySet, Value, When
from django.forms.utils import ErrorDict

from preceptorship import access
from preceptorship.forms import OneLineFields, RecordsField, person_search, record_ids, reveal
from preceptorship.models import Membership, Organisation, Profession, User
from preceptorship.widgets import NHSDateField
from programmes import selectors
from programmes.forms.practice import score_messages
from programmes.models import (
    Enrolment,
    Evaluation,
    Pause,
    Programme,
    Transition,
)
from programmes.services.enrolments import ENROLLED_OR_DONE
from programmes.services.programmes import framework_programme_refusal
from progression.models import Framework

Role = Membership.Role


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return _person_label(obj)


class PeopleChoiceField(RecordsField):
    def label_from_instance(self, obj: User) -> str:
        return _person_label(obj)


class MentorChoiceField(forms.ModelChoiceField):
    """A mentor with their current number of active preceptees, so the lead sees the load."""

    def label_from_instance(self, obj: User) -> str:
        load = getattr(obj, "current_load", None)
        label = _person_label(obj)
        if load is None:
            return label
        return f"{label}: {load} active preceptee{'' if load == 1 else 's'}"


def _person_label(user: User) -> str:
    profession = getattr(user, "profession", None)
    return f"{user} ({profession})" if profession else str(user)


class ProgrammeForm(OneLineFields, forms.ModelForm):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label="Owning organisation",
        help_text="Its programme leads set the programme up and manage its enrolments.",
    )
    professions = RecordsField(
        queryset=Profession.objects.all(), widget=forms.CheckboxSelectMultiple,
        help_text="Choose one for a uni-professional programme, or several for a multi-professional one.",
        error_messages={"required": "Choose at least one profession"},
    )
    transitions = forms.MultipleChoiceField(
        choices=Transition.choices, widget=forms.CheckboxSelectMultiple, label="Transitions it supports",
        help_text="Who the programme is for.", error_messages={"required": "Choose at least one transition"},
    )
    framework = forms.ModelChoiceField(
        queryset=Framework.objects.none(), required=False, label="Practice standards framework",
        empty_label="No framework",
        help_text="Goals and reflections can then link to its competencies. Only published versions are listed, "
                  "each with the professions and the level it is for: it must be for every profession you "
                  "choose above, and start from the entry level.",
    )

    class Meta:
        model = Programme
        fields = [
            "name", "organisation", "shared_with_ics", "professions", "transitions", "length_months",
            "review_interval_months", "first_meeting_days", "entry_level", "exit_level", "protected_hours_per_month",
            "protected_caseload_percent", "protected_caseload_months", "framework", "mentor_capacity",
        ]
        labels = {
            "name": "Programme name",
            "shared_with_ics": "Open to the whole integrated care system",
            "length_months": "Length in months",
            "review_interval_months": "Review meetings every (months)",
            "first_meeting_days": "First review meeting within (days of the start)",
            "protected_caseload_percent": "Protected caseload: at most (% of a full caseload)",
            "protected_caseload_months": "Protected caseload: for the first (months)",
            "entry_level": "Entry level",
            "exit_level": "Exit level",
            "protected_hours_per_month": "Protected time (hours per month)",
            "mentor_capacity": "Mentor capacity",
        }
        help_texts = {
            "name": 'For example "Occupational Therapy preceptorship"',
            "length_months": "Long enough to progress, for example from Level 1 to Level 2: usually 12 to 18 months.",
            "review_interval_months": "The preceptee, their line manager and mentor usually meet three-monthly.",
            "protected_caseload_percent": "A reduced caseload while preceptees find their feet, for example 60 (three "
                                          "fifths of a full caseload). A share rather than a number of cases, so it "
                                          "fits every profession. Leave both empty for no protection.",
            "protected_caseload_months": "For example 6. Mentors record the caseload at each review meeting.",
            "first_meeting_days": "Usually 14: the first meeting, where the needs assessment is talked through, in "
                                  "the first two weeks; the next ones follow every review interval. Leave it empty to "
                                  "hold the first meeting one review interval in.",
            "protected_hours_per_month": "Protected continuing professional development time each preceptee is given.",
            "mentor_capacity": "The most preceptees one mentor supports at a time.",
        }
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "off"}),
            "length_months": forms.TextInput(attrs={"inputmode": "numeric", "class": "nhsuk-input--width-3"}),
            "review_interval_months": forms.TextInput(
                attrs={"inputmode": "numeric", "class": "nhsuk-input--width-3"}
            ),
            "protected_hours_per_month": forms.TextInput(
                attrs={"inputmode": "decimal", "class": "nhsuk-input--width-4"}
            ),
            "mentor_capacity": forms.TextInput(attrs={"inputmode": "numeric", "class": "nhsuk-input--width-3"}),
            "first_meeting_days": forms.TextInput(attrs={"inputmode": "numeric", "class": "nhsuk-input--width-3"}),
            "protected_caseload_percent": forms.TextInput(attrs={"inputmode": "numeric",
                                                                 "class": "nhsuk-input--width-3"}),
            "protected_caseload_months": forms.TextInput(attrs={"inputmode": "numeric",
                                                                "class": "nhsuk-input--width-3"}),
            "entry_level": forms.TextInput(attrs={"class": "nhsuk-input--width-10"}),
            "exit_level": forms.TextInput(attrs={"class": "nhsuk-input--width-10"}),
        }
        error_messages = {
            "name": {"required": "Enter the programme name"},
            "length_months": {"required": "Enter the length in months", "invalid": "Enter a whole number of months"},
            "review_interval_months": {
                "required": "Enter how often review meetings happen",
                "invalid": "Enter a whole number of months",
            },
            "protected_hours_per_month": {
                "required": "Enter the protected time, or 0",
                "invalid": "Enter a number of hours, for example 4 or 7.5",
            },
            "mentor_capacity": {"required": "Enter the mentor capacity", "invalid": "Enter a whole number"},
            "protected_caseload_percent": {"invalid": "Enter the protected caseload as a whole number, for example 60"},
            "protected_caseload_months": {"invalid": "Enter a whole number of months, for example 6"},
            "first_meeting_days": {
                "required": "Enter within how many days of the start the first review meeting is held",
                "invalid": "Enter a whole number of days, for example 14",
            },
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lead_orgs = access.organisation_ids(user, Role.PROGRAMME_LEAD)
        if self.instance.pk:
            lead_orgs.add(self.instance.organisation_id)
        organisations = Organisation.objects.filter(pk__in=lead_orgs)
        self.fields["organisation"].queryset = organisations
        if len(lead_orgs) == 1:
            self.fields["organisation"].initial = next(iter(lead_orgs))
        self.fields["framework"].queryset = Framework.objects.filter(
            Q(owner__isnull=True) | Q(owner_id__in=lead_orgs), status=Framework.Status.PUBLISHED,
            kind=Framework.Kind.COMPETENCY,
        ).prefetch_related("professions").order_by("name", "pk")
        self.fields["framework"].label_from_instance = _framework_choice
        if not self.instance.pk:
            self.fields["transitions"].initial = [Transition.NEWLY_REGISTERED]
        if self.instance.pk and self.instance.enrolments.exists():
            for name in ("length_months", "review_interval_months", "first_meeting_days"):
                self.fields[name].disabled = True
                self.fields[name].help_text = (
                    "Fixed once people are enrolled, so nobody's dates move. Extend individual enrolments instead."
                )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        framework, professions = cleaned.get("framework"), cleaned.get("professions")
        if framework is not None and professions and "entry_level" not in self.errors:
            refusal = framework_programme_refusal(framework, professions, cleaned.get("entry_level") or "")
            if refusal:
                self.add_error("framework", refusal)
        return cleaned

    def _post_clean(self) -> None:
        # The service runs the model's full_clean (with the professions set after saving).
        pass

    def programme_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("professions", None)
        return data


def _framework_choice(framework: Framework) -> str:
    """A framework option with what it suits: "Name (occupational therapy; from Level 1)"."""
    professions = sorted(p.name.lower() for p in framework.professions.all())
    suits = [" or ".join(professions) if professions else "any profession"]
    if framework.from_level:
        suits.append(f"from {framework.from_level}")
    return f"{framework.name} ({'; '.join(suits)})"


def _candidate_people(programme: Programme) -> QuerySet[User]:
    """Practitioners of the organisations the programme serves, of its professions."""
    organisations = _served_organisations(programme)
    people = access.people_in(organisations, Role.PRACTITIONER).select_related("profession")
    professions = list(programme.professions.values_list("pk", flat=True))
    if professions:
        people = people.filter(Q(profession_id__in=professions) | Q(profession__isnull=True))
    return people.order_by("last_name", "first_name")


def _not_enrolled(programme: Programme, people: QuerySet[User]) -> QuerySet[User]:
    """Leaves out the people on the programme now and those who completed it."""
    already = Enrolment.objects.filter(programme=programme, status__in=ENROLLED_OR_DONE).values("preceptee_id")
    return people.exclude(pk__in=already)


def _served_organisations(programme: Programme) -> list[int]:
    if programme.shared_with_ics and programme.organisation.ics_id:
        return list(Organisation.objects.filter(ics_id=programme.organisation.ics_id).values_list("pk", flat=True))
    return [programme.organisation_id]


def mentor_choices(programme: Programme) -> QuerySet[User]:
    """Mentors of the served organisations, and mentors anywhere in the ICS who share one of the
    programme's professions (the service checks each preceptee's own profession)."""
    served = _served_organisations(programme)
    where = Q(organisation_id__in=served)
    ics_id = programme.organisation.ics_id
    professions = list(programme.professions.values_list("pk", flat=True))
    if ics_id and professions:
        where |= Q(organisation__ics_id=ics_id, user__profession_id__in=professions)
    # One subquery of mentor memberships: an OR of two subqueries defeats the database's planner.
    mentoring = Membership.objects.filter(where, role=Role.MENTOR).values("user_id")
    people = User.objects.filter(pk__in=mentoring, is_active=True).select_related("profession")
    return selectors.with_mentor_load(people, capacity=False).order_by("last_name", "first_name")


def line_manager_choices(programme: Programme) -> QuerySet[User]:
    # With the profession: each label names it.
    return access.people_in(_served_organisations(programme), Role.LINE_MANAGER).select_related("profession").order_by(
        "last_name", "first_name"
    )


class PeopleForm(OneLineFields, forms.Form):
    """The mentor and line manager of one enrolment or a cohort, with the capacity confirmation."""

    mentor = MentorChoiceField(
        queryset=User.objects.none(), label="Mentor", empty_label="Choose a mentor",
        help_text="Mentors of the same profession in other organisations of the ICS are listed too.",
        error_messages={
            "required": "Choose a mentor",
            "invalid_choice": "Choose a mentor from the list: the one chosen is not a mentor in an organisation this "
                              "programme serves, nor of the same profession elsewhere in the ICS",
        },
    )
    line_manager = PersonChoiceField(
        queryset=User.objects.none(), label="Line manager", required=False, empty_label="No line manager",
        error_messages={"invalid_choice": "Choose a line manager from the list: the one chosen is not a line manager "
                                          "in an organisation this programme serves"},
    )
    confirm_over_capacity = forms.BooleanField(
        required=False, widget=forms.HiddenInput, label="Go ahead anyway: I have agreed this with the mentor",
    )

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.programme = programme
        self.fields["mentor"].queryset = mentor_choices(programme)
        self.fields["line_manager"].queryset = line_manager_choices(programme)

    def ask_to_confirm(self) -> None:
        """Show the "go ahead anyway" box after a capacity warning."""
        self.fields["confirm_over_capacity"].widget = forms.CheckboxInput()


def _find_field(label: str, button: str) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, max_length=200,
        help_text=f"Part of a first name, last name or e-mail address, then {button}.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "type": "search"}),
    )


class PeopleSearchForm(PeopleForm):
    """``PeopleForm`` whose selects offer at most ``OFFERED`` people (an ICS has hundreds of mentors
    and line managers), found with a name search box placed before each select. The person chosen
    (or, before any post, the one the form starts with) stays offered and selected whatever is
    searched next. A post with ``searching`` True runs the searches and checks nothing yet.

    ``searched`` maps each select to its search box and what it lists ("mentors"): its button is
    "Search mentors"."""

    OFFERED = 50  # people shown at once; a search finds the rest
    searched = {"mentor": ("find_mentor", "mentors"), "line_manager": ("find_line_manager", "line managers")}

    find_mentor = _find_field("Find a mentor by name", "Search mentors")
    find_line_manager = _find_field("Find a line manager by name", "Search line managers")

    def __init__(self, *args: Any, programme: Programme, searching: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, programme=programme, **kwargs)
        self.searching = searching
        self.offers: dict[str, tuple[list[User], bool]] = {}
        for name, (box, _) in self.searched.items():
            field = self.fields[name]
            offered, more = self._offer(field.queryset, self.search_text(box), self.chosen_ids(name))
            self.offers[name] = (offered, more)
            field.widget.choices = [("", field.empty_label)] + [
                (person.pk, field.label_from_instance(person)) for person in offered
            ]

    @property
    def mentors(self) -> list[User]:
        return self.offers["mentor"][0]

    @property
    def more_mentors(self) -> bool:
        return self.offers["mentor"][1]

    def fields_with_searches(self) -> list[tuple[forms.BoundField, dict[str, Any] | None]]:
        """For the template: each field in order, a search box with its button's label, what the
        search offers in its select, whether more match than fit, and the text searched."""
        boxes = {box: (name, listed) for name, (box, listed) in self.searched.items()}
        rows: list[tuple[forms.BoundField, dict[str, Any] | None]] = []
        for field in self:
            if field.name not in boxes:
                rows.append((field, None))
                continue
            name, listed = boxes[field.name]
            offered, more = self.offers[name]
            rows.append((field, {"button": f"Search {listed}", "listed": listed, "offered": offered, "more": more,
                                 "text": self.search_text(field.name), "select": self.fields[name].label.lower()}))
        return rows

    def search_text(self, name: str = "find") -> str:
        text = self.data.get(name) if self.is_bound else self.initial.get(name)
        return (text or "").replace("\x00", "").strip()[:200]  # PostgreSQL takes no NUL in a query

    def chosen_ids(self, name: str = "preceptees") -> list[int]:
        if self.is_bound:
            values = self.data.getlist(name) if hasattr(self.data, "getlist") else []
        else:
            initial = self.initial.get(name)
            values = initial if isinstance(initial, list | tuple) else [initial]
        return record_ids(values)[:1000]

    def _offer(self, people: QuerySet[User], text: str, chosen: list[int]) -> tuple[list[User], bool]:
        """The people chosen (first), then those the search finds, in one query; and whether the
        search finds more than fit."""
        if text:
            people = people.filter(Q(pk__in=chosen) | person_search(text))
        by_name = ("last_name", "first_name", "pk")
        if chosen:
            people = people.alias(ticked=Case(When(pk__in=chosen, then=Value(0)), default=Value(1))).order_by(
                "ticked", *by_name
            )
        else:  # with nothing chosen the CASE is a constant, which PostgreSQL reads as "order by column 1"
            people = people.order_by(*by_name)
        offered = list(people[:self.OFFERED + len(chosen) + 1])
        ticked = sum(1 for person in offered if person.pk in chosen)
        more = len(offered) - ticked > self.OFFERED
        return offered[:self.OFFERED + ticked], more

    def full_clean(self) -> None:
        if self.searching:  # a search keeps what is typed and checks nothing yet
            self._errors = ErrorDict()
            self.cleaned_data = {}
            return
        super().full_clean()


class ChangePeopleForm(PeopleSearchForm):
    """Change one enrolment's mentor or line manager, each found by name."""

    field_order = ["find_mentor", "mentor", "find_line_manager", "line_manager", "confirm_over_capacity"]

    def people(self) -> dict[str, Any]:
        """The cleaned mentor, line manager and confirmation, for the service."""
        return {name: self.cleaned_data[name] for name in ("mentor", "line_manager", "confirm_over_capacity")}


class EnrolForm(PeopleSearchForm):
    """Enrol one person or a cohort. The people are found by name first (an organisation or an ICS
    has thousands): ``find`` narrows the boxes offered, and the people already ticked stay offered
    and ticked whatever is searched next, so a cohort is built up search by search. The mentors
    and line managers (hundreds across an ICS) are found the same way with ``find_mentor`` and
    ``find_line_manager``."""

    find = forms.CharField(
        label="Find people by name", required=False, max_length=200,
        help_text="Part of a first name, last name or e-mail address, then Search. People already ticked stay ticked.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "type": "search"}),
    )
    preceptees = PeopleChoiceField(
        queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple, label="Who to enrol",
        help_text="Choose one person, or several to enrol a cohort with the same start date, mentor and line manager.",
        error_messages={"required": "Choose at least one person to enrol"},
    )
    start_date = NHSDateField(label="Start date", help_text="For example, 1 9 2025")
    transition = forms.ChoiceField(
        label="Transition reason", choices=Transition.choices, widget=forms.RadioSelect,
        error_messages={"required": "Choose the transition reason"},
    )
    field_order = ["find", "preceptees", "start_date", "transition", "find_mentor", "mentor", "find_line_manager",
                   "line_manager", "confirm_over_capacity"]

    def __init__(self, *args: Any, programme: Programme, searching: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, programme=programme, searching=searching, **kwargs)
        people = _candidate_people(programme)
        candidates = _not_enrolled(programme, people)  # those offered
        # What may be chosen: also anyone enrolled since the page was shown, whom the service then
        # names ("... is already enrolled on this programme") rather than "Select a valid choice".
        self.fields["preceptees"].queryset = people
        transitions = [(value, label) for value, label in Transition.choices if value in programme.transitions]
        self.fields["transition"].choices = transitions or Transition.choices
        if len(transitions) == 1:
            self.fields["transition"].initial = transitions[0][0]
        self.offered, self.more = self._offer(candidates, self.search_text(), self.chosen_ids())
        self.fields["preceptees"].widget.choices = [(person.pk, _person_label(person)) for person in self.offered]


class PauseForm(OneLineFields, forms.Form):
    reason = forms.ChoiceField(
        label="Why is the preceptorship pausing?", choices=Pause.Reason.choices, widget=forms.RadioSelect,
        error_messages={"required": "Choose why the preceptorship is pausing"},
    )
    start_date = NHSDateField(label="First day of the pause", help_text="For example, 1 3 2026")
    end_date = NHSDateField(
        label="Last day of the pause", help_text="The expected last day. Every later date moves by the pause's length."
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The last day must be the same as or after the first day")
        return data


class ResumeForm(OneLineFields, forms.Form):
    on = NHSDateField(
        label="Date the preceptee returned", required=False,
        help_text="Their first day back, for example 3 11 2026. The pause ends the day before.",
    )


class ExtendForm(OneLineFields, forms.Form):
    months = forms.IntegerField(
        label="Extend by (months)", min_value=1, max_value=24,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "nhsuk-input--width-3"}),
        error_messages={
            "required": "Enter the number of months", "invalid": "Enter a whole number of months",
            "min_value": "Extend by at least 1 month", "max_value": "Extend by 24 months or fewer",
        },
    )
    reason = forms.CharField(
        label="Why is the preceptorship being extended?", widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say why the preceptorship is being extended"},
    )


class WithdrawForm(OneLineFields, forms.Form):
    on = NHSDateField(label="Date of withdrawal", help_text="For example, 28 2 2026")
    reason = forms.ChoiceField(
        label="Why did the preceptee withdraw?", choices=Enrolment.WithdrawalReason.choices,
        widget=forms.RadioSelect, error_messages={"required": "Choose why the preceptee withdrew"},
    )
    detail = forms.CharField(
        label="More detail", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text='Needed when the reason is "Other". Retention is what programme leads report on.',
    )


class ConfirmCompletionForm(OneLineFields, forms.Form):
    """Completed or not yet: "not yet" reveals why (and an extension), "yes" with work outstanding reveals
    why now, each shown only under its answer (all shown without JavaScript; the unchosen one is ignored)."""

    confirmed = forms.TypedChoiceField(
        label="Has the preceptee completed their preceptorship?",
        choices=[("yes", "Yes, I confirm they have completed it"), ("no", "Not yet")],
        coerce=lambda value: value == "yes", widget=forms.RadioSelect,
        error_messages={"required": "Say whether the preceptee has completed their preceptorship"},
    )
    reason = forms.CharField(
        label="Why has the preceptee not completed yet?", required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Only if you answer not yet.",
    )
    proposed_extension_months = forms.IntegerField(
        label="Extension you propose (months)", required=False, min_value=1, max_value=24,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "nhsuk-input--width-3"}),
        help_text="The programme lead decides.",
        error_messages={
            "invalid": "Enter the extension you propose as a whole number of months",
            "min_value": "Propose an extension of at least 1 month",
            "max_value": "Propose an extension of 24 months or fewer",
        },
    )

    early_reason = forms.CharField(
        label="Why do you confirm completion now?", required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The work listed above is outstanding. Your reason is kept in the enrolment's history.",
    )

    def __init__(self, *args: Any, outstanding: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # What is not done yet (``services.completion_outstanding``): only then is a reason asked for.
        self.outstanding = outstanding or []
        answers = {"no": ["reason", "proposed_extension_months"]}
        if self.outstanding:
            answers["yes"] = ["early_reason"]
        else:
            del self.fields["early_reason"]
        reveal(self, "confirmed", answers, needed=["reason", "early_reason"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        confirmed = data.get("confirmed")
        # The answer not chosen was hidden: whatever it holds is not part of this answer.
        if confirmed is True:
            data["reason"], data["proposed_extension_months"] = "", None
            for name in ("reason", "proposed_extension_months"):
                self.errors.pop(name, None)
        elif confirmed is False:
            data["early_reason"] = ""
            self.errors.pop("early_reason", None)
        if confirmed is False and not (data.get("reason") or "").strip():
            self.add_error("reason", "Say why the preceptee has not completed yet")
        if confirmed and self.outstanding and not (data.get("early_reason") or "").strip():
            self.add_error("early_reason", "Say why you confirm completion before the work listed is done")
        return data


class OutcomeForm(OneLineFields, forms.Form):
    outcome = forms.CharField(
        label="Outcome", max_length=200, help_text='For example "Progressed to Level 2"',
        error_messages={"required": 'Enter the outcome, for example "Progressed to Level 2"'},
    )
    completed_on = NHSDateField(label="Date completed")
    pay_step_on = NHSDateField(
        label="Date the pay step takes effect", required=False,
        help_text="Leave empty if there is no pay step.",
    )


class EvaluationForm(OneLineFields, forms.ModelForm):
    class Meta:
        model = Evaluation
        fields = ["support_received", "confidence_now", "protected_time", "would_recommend", "comments"]
        labels = {
            "support_received": "How well supported did you feel?",
            "confidence_now": "How confident do you feel in your role now?",
            "protected_time": "Did you get the protected time you needed?",
            "would_recommend": "Would you recommend the programme to a colleague?",
            "comments": "Anything else you want to tell us",
        }
        widgets = {
            "support_received": forms.RadioSelect(choices=[(n, str(n)) for n in range(1, 6)]),
            "confidence_now": forms.RadioSelect(choices=[(n, str(n)) for n in range(1, 6)]),
            "protected_time": forms.RadioSelect(choices=[(n, str(n)) for n in range(1, 6)]),
            "would_recommend": forms.RadioSelect,
            "comments": forms.Textarea(attrs={"rows": 5}),
        }
        error_messages = {
            "would_recommend": {
                "required": "Say whether you would recommend the programme",
                "invalid_choice": "Say whether you would recommend the programme",
            },
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # RadioSelect on an integer field needs choices on the form field as well as the widget.
        for name in ("support_received", "confidence_now", "protected_time"):
            field = self.fields[name]
            self.fields[name] = forms.TypedChoiceField(
                label=field.label, help_text=field.help_text, choices=[(n, str(n)) for n in range(1, 6)],
                coerce=int, widget=forms.RadioSelect, error_messages=score_messages(),
            )
        self.fields["would_recommend"].choices = Evaluation.Recommend.choices

    def _post_clean(self) -> None:
        # The service validates and saves; the form only collects the answers.
        pass


class CohortForm(OneLineFields, forms.Form):
    """Enrol a cohort with a mentor and a line manager chosen for each person (``rows``, from
    ``services.cohorts.cohort_rows``): a ``mentor_<id>`` and a ``line_manager_<id>`` select per
    person, their choices those the service allows for that person, the proposals chosen first.
    With ``uploading`` True (a spreadsheet filled the rows) nothing is checked yet."""

    people = forms.TypedMultipleChoiceField(
        coerce=int, widget=forms.MultipleHiddenInput, label="People",
        error_messages={"required": "Choose at least one person to enrol",
                        "invalid_choice": "Choose the people again: one of them cannot be enrolled"},
    )
    start_date = NHSDateField(label="Start date", help_text="The same for the whole cohort. For example, 1 9 2025")
    transition = forms.ChoiceField(
        label="Transition reason", choices=Transition.choices, widget=forms.RadioSelect,
        error_messages={"required": "Choose the transition reason"},
    )
    spreadsheet = forms.FileField(
        label="Upload a spreadsheet", required=False,
        help_text="A CSV or Excel (.xlsx) file with the columns described above.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    confirm_over_capacity = forms.BooleanField(
        required=False, widget=forms.HiddenInput, label="Go ahead anyway: I have agreed this with the mentors",
    )

    def __init__(self, *args: Any, programme: Programme, rows: list[Any], uploading: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.programme, self.rows, self.uploading = programme, rows, uploading
        self.row_errors: dict[int, list[str]] = {}
        self.fields["people"].choices = [(row.preceptee.pk, str(row.preceptee)) for row in rows]
        self.fields["people"].initial = [row.preceptee.pk for row in rows]
        transitions = [(value, label) for value, label in Transition.choices if value in programme.transitions]
        self.fields["transition"].choices = transitions or Transition.choices
        if len(transitions) == 1:
            self.fields["transition"].initial = transitions[0][0]
        for row in rows:
            name = str(row.preceptee)
            self.fields[f"mentor_{row.preceptee.pk}"] = forms.TypedChoiceField(
                coerce=int, label=f"Mentor for {name}",
                choices=[("", "Choose a mentor")] + [(option.user.pk, option.label) for option in row.mentors],
                initial=row.proposed_mentor.user.pk if row.proposed_mentor else None,
                error_messages={"required": f"Choose a mentor for {name}",
                                "invalid_choice": f"Choose a mentor for {name} from the list"},
            )
            self.fields[f"line_manager_{row.preceptee.pk}"] = forms.TypedChoiceField(
                coerce=int, label=f"Line manager for {name}", required=False, empty_value=None,
                choices=[("", "No line manager")] + [(user.pk, _person_label(user)) for user in row.line_managers],
                initial=row.proposed_line_manager.pk if row.proposed_line_manager else None,
                error_messages={"invalid_choice": f"Choose a line manager for {name} from the list"},
            )

    def row_fields(self) -> list[tuple[Any, forms.BoundField, forms.BoundField, list[str]]]:
        """For the template: each row with its two selects and its own problems."""
        return [(row, self[f"mentor_{row.preceptee.pk}"], self[f"line_manager_{row.preceptee.pk}"],
                 self.row_errors.get(row.preceptee.pk, [])) for row in self.rows]

    def places(self) -> list[Any]:
        """The cleaned choices as the service's places, in the rows' order."""
        from programmes.services.cohorts import Place

        data = self.cleaned_data
        return [Place(preceptee=row.preceptee, mentor=row.mentor(data.get(f"mentor_{row.preceptee.pk}")),
                      line_manager=row.line_manager(data.get(f"line_manager_{row.preceptee.pk}")))
                for row in self.rows if row.preceptee.pk in data.get("people", [])]

    def add_row_error(self, preceptee_id: int, field: str, messages: list[str]) -> None:
        """A service's or the file's problem beside the row's field (``preceptee`` problems beside
        the row's name, and in the summary)."""
        if field in ("mentor", "line_manager") and f"{field}_{preceptee_id}" in self.fields:
            self.add_error(f"{field}_{preceptee_id}", messages)
            return
        self.row_errors.setdefault(preceptee_id, []).extend(messages)
        self.add_error(None, messages)

    def ask_to_confirm(self) -> None:
        self.fields["confirm_over_capacity"].widget = forms.CheckboxInput()

    def full_clean(self) -> None:
        if self.uploading:  # the rows a file filled are shown to check; nothing is checked yet
            self._errors = ErrorDict()
            self.cleaned_data = {}
            return
        super().full_clean()
