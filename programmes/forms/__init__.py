"""Forms of the programmes pages: ``lead`` (programmes, enrolling, the enrolment actions, completion)
and ``practice`` (reviews, goals, reflections, protected time, the needs assessment)."""
