"""The confirmation letter and the evidence pack, rendered to PDF.

The letter is signed by the Operational Director who signed the progression off, with their job
title, and states the pay range the practitioner moves to; it carries the organisation's own
letterhead (the NHS logo only for an NHS organisation). ``letter_context`` is all the letter says:
the preview, the check page and the produced letter read it, so they cannot differ.

The evidence pack lists each competency's dated evidence, ends with a signature block for the
practitioner and the line manager, and appends the attached files that are PDFs or images: images
are placed on pages of the pack, a PDF's own pages are put in after a page naming it.
"""

from __future__ import annotations

import base64
import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError

from preceptorship.models import Membership, Organisation, User
from preceptorship.pdf import render_document, render_pdf
from progression import evidence_links, selectors
from progression.models import Decision, Evidence, LetterTemplate, ProgressionCase

DEFAULT_HEADING = "Confirmation of career progression"
DEFAULT_BODY = """Dear {{ practitioner_name }},

Further to our conversation on {{ told_on }}, I am pleased to confirm that your progression to \
{{ target_role }} has been signed off, following the evidence gathered against the {{ framework_name }}.

Your new role takes effect from {{ effective_date }}, when your pay moves to {{ pay_point }} \
(HR/payroll reference {{ hr_reference }}).
{{ redeployment }}

Congratulations on this achievement."""


def _date(value: object) -> str:
    return date_format(value, "j F Y") if value else ""


def signer(case: ProgressionCase) -> User | None:
    """Who signed the progression off (the Operational Director of the latest sign-off), or None."""
    decision = (Decision.objects.filter(case=case, decision=Decision.Kind.SIGNED_OFF).select_related("actor")
                .order_by("-at", "-id").first())
    return decision.actor if decision else None


def signer_title(person: User | None) -> str:
    """The signer's job title as their profile gives it, else the role that signs off."""
    return (person.job_title.strip() if person is not None else "") or Membership.Role.OPERATIONAL_DIRECTOR.label


def pay_point(case: ProgressionCase) -> str:
    """The pay range or point the practitioner moves to: the framework's level they progress to (for
    example "Range 7"), else the role the case names."""
    return case.framework.to_level.strip() or case.target_role


def letter_values(case: ProgressionCase, signed_by: User | None = None) -> dict[str, str]:
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
        "pay_point": pay_point(case),
        "signed_off_by": str(signed_by) if signed_by is not None else "",
        "signed_off_by_job_title": signer_title(signed_by),
        "today": _date(timezone.localdate()),
    }


def letter_text(case: ProgressionCase, signed_by: User | None = None) -> tuple[str, list[str]]:
    from progression.services import CLOSING, PLACEHOLDER

    template = LetterTemplate.objects.filter(organisation_id=case.organisation_id).first()
    heading = template.heading if template else DEFAULT_HEADING
    body = template.body if template else DEFAULT_BODY
    values = letter_values(case, signed_by)
    # A template saved before the letter carried its own signature may still end with a closing:
    # it is left out, so the letter is signed once, by whoever signed the progression off.
    closing = CLOSING.search(body)
    if closing:
        body = body[:closing.start()]
    text = PLACEHOLDER.sub(lambda match: values.get(match.group(1), ""), body)
    paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return heading, paragraphs


@dataclass(frozen=True)
class Letter:
    """Everything the letter says, in its order: the preview, the check page and the PDF read it."""

    organisation: Organisation
    today: datetime.date
    addressee: list[str]
    heading: str
    paragraphs: list[str]
    signed_by: str
    signed_by_title: str
    pay_point: str


def letter_context(case: ProgressionCase) -> Letter:
    person = signer(case)
    heading, paragraphs = letter_text(case, person)
    addressee = [case.practitioner.get_full_name() or case.practitioner.email]
    if case.team_id:
        addressee.append(case.team.name)
    return Letter(organisation=case.organisation, today=timezone.localdate(), addressee=addressee,
                  heading=heading, paragraphs=paragraphs,
                  signed_by=(person.get_full_name() or person.email) if person is not None else "",
                  signed_by_title=signer_title(person), pay_point=pay_point(case))


def render_letter_pdf(case: ProgressionCase) -> bytes:
    letter = letter_context(case)
    return render_pdf("pdf/letter.html", {"case": case, "letter": letter, "organisation": letter.organisation})


# The evidence pack ------------------------------------------------------------------------------

PACK_IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}


@dataclass
class Attachment:
    """An evidence file the pack carries: an image placed on a page of its own, or a PDF whose pages
    follow the page that names it. ``problem`` says why a file could not be put in."""

    evidence: Evidence
    kind: str  # "image", "pdf" or "other"
    anchor: str
    data_uri: str = ""
    pdf: PdfReader | None = None
    pages: int = 0
    problem: str = ""


def _read(evidence: Evidence) -> bytes:
    with evidence.file.open("rb") as handle:
        return handle.read()


def pack_attachments(evidence: list[Evidence]) -> list[Attachment]:
    """The files of ``evidence`` in the pack's order (by date, then title), each read once."""
    attachments = []
    for item in sorted((item for item in evidence if item.file), key=lambda item: (item.example_date, item.pk)):
        anchor = f"attachment-{item.pk}"
        content_type = (item.content_type or "").lower()
        if content_type in PACK_IMAGE_TYPES:
            try:
                data = base64.b64encode(_read(item)).decode("ascii")
            except OSError:
                attachments.append(Attachment(item, "other", anchor, problem="The file could not be read."))
                continue
            attachments.append(Attachment(item, "image", anchor, data_uri=f"data:{content_type};base64,{data}"))
        elif content_type == "application/pdf":
            try:
                reader = PdfReader(io.BytesIO(_read(item)))
                if reader.is_encrypted and not reader.decrypt(""):
                    raise PdfReadError("encrypted")
                pages = len(reader.pages)
                for page in reader.pages:  # a page that cannot be read is found now, not while merging
                    page.mediabox  # noqa: B018
            # Whatever a damaged or hostile file makes the reader raise, the pack is still built
            # and says which file it could not put in.
            except Exception:  # noqa: BLE001
                attachments.append(Attachment(item, "other", anchor, problem="The PDF could not be opened "
                                              "(it may be protected by a password); download it from the case."))
                continue
            attachments.append(Attachment(item, "pdf", anchor, pdf=reader, pages=pages))
        else:
            attachments.append(Attachment(item, "other", anchor,
                                          problem="Not a PDF or an image: download it from the case."))
    return attachments


def evidence_by_competency(evidence: list[Evidence]) -> dict[int, list[Evidence]]:
    """Each competency's evidence, oldest first: the pack lists titles and dates, not a count."""
    listed: dict[int, list[Evidence]] = {}
    for item in sorted(evidence, key=lambda item: (item.example_date, item.pk)):
        for competency in item.competencies.all():
            listed.setdefault(competency.pk, []).append(item)
    return listed


def _insert_pdfs(document: Any, attachments: list[Attachment]) -> bytes:
    """The rendered pack with each attached PDF's pages put in after the page that names it."""
    pdfs = [attachment for attachment in attachments if attachment.pdf is not None]
    rendered = document.write_pdf()
    if not pdfs:
        return rendered
    after_page = {}
    for number, page in enumerate(document.pages):
        for attachment in pdfs:
            if attachment.anchor in page.anchors and attachment.anchor not in after_page:
                after_page[attachment.anchor] = number
    writer = PdfWriter(clone_from=io.BytesIO(rendered))
    # From the last page back, so the earlier insertion points keep their numbers.
    for attachment in sorted(pdfs, key=lambda a: after_page.get(a.anchor, -1), reverse=True):
        at = after_page.get(attachment.anchor)
        if at is None:
            continue
        writer.merge(at + 1, attachment.pdf, outline_item=f"Attached: {attachment.evidence.original_filename}")
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def render_pack_pdf(case: ProgressionCase, *, progress: Callable[[int], None] | None = None) -> bytes:
    report = progress or (lambda percent: None)
    table = selectors.case_table(case)
    report(20)
    # Printed for every reader of the case: a linked reflection shows only its kind and date.
    evidence = list(evidence_links.linked_items(viewer=None, evidence=selectors.case_evidence(case)))
    listed = evidence_by_competency(evidence)
    for section in table:
        for row in section.rows:
            row.evidence_listed = listed.get(row.competency_id, [])
    report(35)
    attachments = pack_attachments(evidence)
    report(50)
    history = list(selectors.case_history(case))
    report(60)
    document = render_document("pdf/evidence_pack.html", {
        "case": case, "table": table, "evidence": evidence, "history": history, "attachments": attachments,
        "inserts_pages": any(attachment.pdf is not None for attachment in attachments),
        "organisation": case.organisation, "today": timezone.localdate(),
    })
    report(85)
    pdf = _insert_pdfs(document, attachments)
    report(95)
    return pdf
