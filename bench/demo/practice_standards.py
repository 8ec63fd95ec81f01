"""The council's occupational therapy preceptorship programme runs from Level 1 to Level 2: its
preceptees link goals and reflections to practice standards for that step, not to the Range 6 to
Range 7 career progression framework. The standards here are a fictional example of how such a
framework is laid out (an organisation imports its own), published and owned by the council."""

from __future__ import annotations

from typing import Any

from preceptorship.models import User
from progression import frameworks_io, services
from progression.models import Framework

SLUG = "ot-preceptorship-level-1-to-2"
EXAMPLE = "A fictional example showing how practice standards for a preceptorship programme are laid out: " \
          "import your own."
STANDARDS = [
    ("Assessment and intervention", "PS-A1",
     "Assesses a person's daily living at home and writes the assessment up within the team's timescale."),
    ("Assessment and intervention", "PS-A2",
     "Agrees goals with the person and the people close to them, and reviews the goals with the person."),
    ("Assessment and intervention", "PS-A3",
     "Recommends standard equipment and minor adaptations within the team's guidance."),
    ("Reflection and development", "PS-R1",
     "Writes a reflection after a visit that did not go as planned and brings it to supervision."),
    ("Reflection and development", "PS-R2",
     "Uses protected development time on a learning goal agreed at the review meeting."),
    ("Reflection and development", "PS-R3", "Rates their own confidence in each standard before each review meeting."),
    ("Working with others", "PS-W1", "Explains the occupational therapy view of a person's needs at a team meeting."),
    ("Working with others", "PS-W2",
     "Refers a person to another service with the information that service asks for."),
]


def build(*, lead: User, council: Any) -> Framework:
    """The published example standards (the one already there when run again)."""
    framework = Framework.objects.filter(slug=SLUG, status=Framework.Status.PUBLISHED).first()
    if framework is not None:
        return framework
    sections: dict[str, list[dict[str, str]]] = {}
    for title, code, statement in STANDARDS:
        sections.setdefault(title, []).append({"code": code, "statement": statement, "guidance": ""})
    data = frameworks_io.normalise({
        "name": "Occupational therapy preceptorship practice standards, Level 1 to Level 2 (fictional example)",
        "slug": SLUG, "source": EXAMPLE, "professions": ["occupational-therapy"], "from_level": "Level 1",
        "to_level": "Level 2", "evidence_per_competency": 0,
        "sections": [{"title": title, "competencies": items} for title, items in sections.items()],
    })
    problems = frameworks_io.validate_framework(data)
    assert not problems, problems
    return services.framework_import(actor=lead, data=data, owner=council, publish=True)
