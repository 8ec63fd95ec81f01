"""Letter templates and evidence packs.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from preceptorship import audit, jobs
from preceptorship.models import Organisation, User
from progression.models import (
    EvidencePack,
    LetterTemplate,
    ProgressionCase,
)

# Letters and packs -----------------------------------------------------------------------------

PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
LETTER_PLACEHOLDERS = {
    "practitioner_name": "the practitioner's full name",
    "target_role": "the role they progress to",
    "framework_name": "the framework's name",
    "organisation": "the organisation's name",
    "team": "the practitioner's team",
    "effective_date": "the date the new role takes effect",
    "hr_reference": "the HR/payroll reference",
    "redeployment": "a sentence about the redeployment, or nothing",
    "told_on": "the date the worker was told verbally",
    "told_by": "who told them",
    "line_manager": "the line manager's name",
    "pay_point": "the pay range or point they move to (the framework's level, else the new role)",
    "signed_off_by": "who signed the progression off (the letter is signed in their name)",
    "signed_off_by_job_title": "their job title",
    "today": "today's date",
}


# The letter ends with the signature of whoever signed the progression off (progression.letters):
# a closing in the template would sign it twice, perhaps in another person's name.
CLOSING = re.compile(r"^\s*yours\s+(sincerely|faithfully)\b", re.IGNORECASE | re.MULTILINE)


def letter_template_check(body: str) -> None:
    if CLOSING.search(body):
        raise ValidationError({"body": "Leave out the closing (“Yours sincerely” and the name): the letter ends with "
                                       "the signature of the Operational Director who signed the progression off."})
    unknown = sorted({name for name in PLACEHOLDER.findall(body) if name not in LETTER_PLACEHOLDERS})
    if unknown:
        raise ValidationError({"body": "Unknown placeholders: " + ", ".join("{{ " + n + " }}" for n in unknown)})
    stray = re.sub(PLACEHOLDER, "", body)
    if "{{" in stray or "{%" in stray:
        raise ValidationError({"body": "Placeholders look like {{ practitioner_name }}; nothing else may use braces."})


def letter_template_save(*, actor: User, organisation: Organisation, heading: str, body: str) -> LetterTemplate:
    letter_template_check(body)
    with transaction.atomic():
        template, _ = LetterTemplate.objects.select_for_update().get_or_create(
            organisation=organisation, defaults={"body": body, "heading": heading}
        )
        template.heading = heading
        template.body = body
        template.full_clean()
        template.save()
        audit.record(actor=actor, action="letter_template.save", obj=template, summary="Letter template edited")
    return template


# The build task's hard time limit (seconds); a pack still waiting or being built
# jobs.stale_after(this) after it was asked for is marked failed when next read.
EVIDENCE_PACK_TIME_LIMIT = 300
PACK_WAITING = (EvidencePack.Status.QUEUED, EvidencePack.Status.RUNNING)


def evidence_pack_request(*, actor: User, case: ProgressionCase) -> EvidencePack:
    from progression.tasks import build_evidence_pack

    with transaction.atomic():
        pack = EvidencePack.objects.create(case=case, requested_by=actor)
        audit.record(actor=actor, action="progression_case.pack_request", obj=case, summary="Evidence pack requested")
        transaction.on_commit(lambda: build_evidence_pack.delay(pack.pk), robust=True)
    return pack


def evidence_pack_fail_if_stale(pack: EvidencePack | None) -> EvidencePack | None:
    """Mark the pack failed if its build was lost (see preceptorship.jobs); read when shown."""
    if pack is not None:
        jobs.fail_if_stale(pack, waiting=PACK_WAITING, time_limit=EVIDENCE_PACK_TIME_LIMIT)
    return pack


def evidence_pack_build(*, pack_id: int) -> EvidencePack:
    """Render the whole case to PDF, recording progress as it goes; a failure is recorded on the pack."""
    from progression.letters import render_pack_pdf

    claimed = EvidencePack.objects.filter(pk=pack_id, status=EvidencePack.Status.QUEUED).update(
        status=EvidencePack.Status.RUNNING, progress=10
    )
    pack = EvidencePack.objects.select_related("case").get(pk=pack_id)
    if not claimed:
        return pack

    def progress(percent: int) -> None:
        EvidencePack.objects.filter(pk=pack_id, status=EvidencePack.Status.RUNNING).update(progress=min(percent, 99))

    try:
        pdf = render_pack_pdf(pack.case, progress=progress)
        pack.file.save(f"evidence-pack-{pack.case_id}.pdf", ContentFile(pdf), save=False)
    except Exception as error:
        jobs.record_failure(EvidencePack.objects.filter(pk=pack_id), error)
        raise
    pack.status = EvidencePack.Status.READY
    pack.progress = 100
    pack.finished_at = timezone.now()
    pack.error = ""
    pack.save(update_fields=["file", "status", "progress", "finished_at", "error", "updated_at"])
    return pack
