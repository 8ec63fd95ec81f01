"""The equality monitoring questions and their answers: the ONS 2021 census categories used across
the NHS in England, each with "Prefer not to say". Every question is optional; an unanswered
question keeps nothing. The figures group the ethnic groups into their five broad groups, so
fewer groups fall under five people."""

from __future__ import annotations

from dataclasses import dataclass

PREFER_NOT = "prefer_not_to_say"
PREFER_NOT_LABEL = "Prefer not to say"
NOT_ANSWERED_LABEL = "Not answered"

# (broad group, [(value, label), ...])
ETHNIC_GROUPS: list[tuple[str, list[tuple[str, str]]]] = [
    ("Asian or Asian British", [
        ("asian_indian", "Indian"), ("asian_pakistani", "Pakistani"), ("asian_bangladeshi", "Bangladeshi"),
        ("asian_chinese", "Chinese"), ("asian_other", "Any other Asian background"),
    ]),
    ("Black, Black British, Caribbean or African", [
        ("black_caribbean", "Caribbean"), ("black_african", "African"),
        ("black_other", "Any other Black, Black British or Caribbean background"),
    ]),
    ("Mixed or multiple ethnic groups", [
        ("mixed_white_black_caribbean", "White and Black Caribbean"),
        ("mixed_white_black_african", "White and Black African"), ("mixed_white_asian", "White and Asian"),
        ("mixed_other", "Any other Mixed or multiple ethnic background"),
    ]),
    ("White", [
        ("white_british", "English, Welsh, Scottish, Northern Irish or British"), ("white_irish", "Irish"),
        ("white_gypsy_traveller", "Gypsy or Irish Traveller"), ("white_roma", "Roma"),
        ("white_other", "Any other White background"),
    ]),
    ("Other ethnic group", [("other_arab", "Arab"), ("other_any", "Any other ethnic group")]),
]


@dataclass(frozen=True)
class Question:
    field: str  # the model field holding the answer
    title: str  # how the figures name it
    label: str  # the question asked
    hint: str
    choices: list[tuple[str, str]]  # without "Prefer not to say", added to every question

    @property
    def answers(self) -> list[tuple[str, str]]:
        return [*self.choices, (PREFER_NOT, PREFER_NOT_LABEL)]

    def group_of(self, value: str | None) -> str:
        """The group a stored answer is counted in by the figures."""
        if not value:
            return NOT_ANSWERED_LABEL
        if value == PREFER_NOT:
            return PREFER_NOT_LABEL
        if self.field == "ethnic_group":
            return next((broad for broad, options in ETHNIC_GROUPS if value in dict(options)), NOT_ANSWERED_LABEL)
        return dict(self.choices).get(value, NOT_ANSWERED_LABEL)

    def groups(self) -> list[str]:
        """The figures' rows, in order."""
        named = [broad for broad, _ in ETHNIC_GROUPS] if self.field == "ethnic_group" else \
            [label for _, label in self.choices]
        return [*named, PREFER_NOT_LABEL, NOT_ANSWERED_LABEL]


YES_NO = [("yes", "Yes"), ("no", "No")]

QUESTIONS: list[Question] = [
    Question("ethnic_group", "Ethnic group", "What is your ethnic group?",
             "The groups of the 2021 census in England and Wales.",
             [(value, f"{broad}: {label}") for broad, options in ETHNIC_GROUPS for value, label in options]),
    Question("disability", "Disability", "Do you consider yourself to have a disability or long-term condition?",
             "As the Equality Act 2010 defines it: a physical or mental condition with a substantial, long-term "
             "effect on your day-to-day activities.", YES_NO),
    Question("sex", "Sex", "What is your sex?", "", [("female", "Female"), ("male", "Male")]),
    Question("gender_identity", "Gender identity",
             "Is the gender you identify with the same as your sex registered at birth?", "", YES_NO),
    Question("sexual_orientation", "Sexual orientation", "Which of the following best describes your sexual "
             "orientation?", "",
             [("straight", "Straight or heterosexual"), ("gay_lesbian", "Gay or lesbian"), ("bisexual", "Bisexual"),
              ("other", "Other sexual orientation")]),
    Question("religion", "Religion or belief", "What is your religion or belief?", "",
             [("none", "No religion"), ("christian", "Christian"), ("buddhist", "Buddhist"), ("hindu", "Hindu"),
              ("jewish", "Jewish"), ("muslim", "Muslim"), ("sikh", "Sikh"), ("other", "Any other religion")]),
    Question("age_band", "Age band", "Which age band are you in?", "",
             [("under_25", "Under 25"), ("25_34", "25 to 34"), ("35_44", "35 to 44"), ("45_54", "45 to 54"),
              ("55_64", "55 to 64"), ("65_over", "65 or over")]),
    Question("carer", "Caring responsibilities",
             "Do you look after, or give help or support to, anyone because of their long-term illness, "
             "disability or problems related to old age?", "Not counting anything you do as part of your job.",
             YES_NO),
]
BY_FIELD = {question.field: question for question in QUESTIONS}
