"""The confirmation letter and the evidence pack, rendered to PDF."""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone
from django.utils.formats import date_format

from preceptorship.pdf import render_pdf
from progression import evidence_links, selectors
from progression.models import LetterTemplate, ProgressionCase

DEFAULT_HEADING = "Confirmation of career progression"
DEFAULT_BODY = """Dear {{ practitioner_name }},

Further to our conversation on {{ told_on }}, I am pleased to confirm that your progression to \
{{ target_role }} has been signed off, following the evidence gathered against the {{ framework_name }}.

Your new role takes effect from {{ effective_date }} (HR/payroll reference {{ hr_reference }}).
{{ redeployment }}

Congratulations on this achievement.

Yours sincerely,

{{ line_manager }}
{{ organisation }}"""


def _date(value: object) -> str:
    return date_format(value, "j F Y") if value else ""


def letter_values(case: ProgressionCase) -> dict[str, str]:
    """The only values a letter template can reach: plain strings, never objects."""
    redeployment = ""
    if case.redeployed_to_id:
        redeployment = (
            f"To meet the needs of the service, you will move to {case.redeployed_to.name} "
            f"from {_date(case.effective_date)}, as discussed with you."
        )
    return {
        "practitioner_name": case.practitioner.get_full_name() or case.practitioner.email,
        "target_role": case.target_role,
        "framework_name": case.framework.name,
        "organisation": case.organisation.name,
        "team": case.team.name if case.team_id else "",
        "effective_date": _date(case.effective_date),
        "hr_reference": case.hr_reference,
        "redeployment": redeployment,
        "told_on": _date(case.told_verbally_on),
        "told_by": str(case.told_by) if case.told_by_id else "",
        "line_manager": str(case.line_manager) if case.line_manager_id else "",
        "today": _date(timezone.localdate()),
    }


def letter_text(case: ProgressionCase) -> tuple[str, list[str]]:
    from progression.services import PLACEHOLDER

    template = LetterTemplate.objects.filter(organisation_id=case.organisation_id).first()
    heading = template.heading if template else DEFAULT_HEADING
    body = template.body if template else DEFAULT_BODY
    values = letter_values(case)
    text = PLACEHOLDER.sub(lambda match: values.get(match.group(1), ""), body)
    paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return heading, paragraphs


def render_letter_pdf(case: ProgressionCase) -> bytes:
    heading, paragraphs = letter_text(case)
    return render_pdf("pdf/letter.html", {"case": case, "heading": heading, "paragraphs": paragraphs,
                                                       "today": timezone.localdate()})


def render_pack_pdf(case: ProgressionCase, *, progress: Callable[[int], None] | None = None) -> bytes:
    report = progress or (lambda percent: None)
    table = selectors.case_table(case)
    report(30)
    # Printed for every reader of the case: a linked reflection shows only its kind and date.
    evidence = evidence_links.linked_items(viewer=None, evidence=selectors.case_evidence(case))
    report(50)
    history = list(selectors.case_history(case))
    report(60)
    pdf = render_pdf("pdf/evidence_pack.html", {"case": case, "table": table, "evidence": evidence,
                                                     "history": history, "today": timezone.localdate()})
    report(95)
    return pdf
