"""Writes for frameworks: import, versions, structured editing, publishing and retiring.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from preceptorship import audit
from preceptorship.errors import TransitionError
from preceptorship.models import Organisation, Profession, User
from progression import frameworks_io
from progression.models import (
    Competency,
    Framework,
    Section,
)

MODELS = {"Framework": Framework, "Section": Section, "Competency": Competency, "Profession": Profession}


# Frameworks ---------------------------------------------------------------------------------


def framework_import(
    *, actor: User | None, data: dict[str, Any], owner: Organisation | None, publish: bool = False
) -> Framework:
    """Create a framework version from validated import data (see ``frameworks_io``)."""
    problems = frameworks_io.validate_framework(data)
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        if data.get("version") and Framework.objects.filter(slug=data["slug"], version=data["version"]).exists():
            raise ValidationError(f"Version {data['version']} of {data['name']} already exists: take the version "
                                  "out of the file to import it as the next version.")
        if not publish and Framework.objects.filter(slug=data["slug"], status=Framework.Status.DRAFT).exists():
            raise ValidationError(f"{data['name']} already has a draft: publish or change that draft first, "
                                  "then import the file again.")
        if data.get("slug") and owner is not None:
            other = Framework.objects.filter(slug=data["slug"]).exclude(owner=owner).first()
            if other is not None:
                raise ValidationError(f"Another organisation's framework has the short name {data['slug']!r}: give "
                                      "this framework a different short name (slug) in the file.")
        framework = frameworks_io.save_framework(
            data,
            models=MODELS,
            status=Framework.Status.PUBLISHED if publish else Framework.Status.DRAFT,
            owner_id=owner.pk if owner else None,
            published_at=timezone.now() if publish else None,
        )
        audit.record(actor=actor, action="framework.import", obj=framework, summary=f"Imported {framework}")
    return framework


def framework_new_version(*, actor: User, framework: Framework) -> Framework:
    """Copy a published (or retired) version into a new draft; cases stay on their version."""
    with transaction.atomic():
        source = Framework.objects.select_for_update().get(pk=framework.pk)
        if Framework.objects.filter(slug=source.slug, status=Framework.Status.DRAFT).exists():
            raise TransitionError("There is already a draft version of this framework.")
        latest = Framework.objects.filter(slug=source.slug).aggregate(v=Max("version"))["v"] or 0
        data = frameworks_io.export_data([_prefetched(source)])[0]
        data["version"] = latest + 1
        draft = frameworks_io.save_framework(
            data, models=MODELS, status=Framework.Status.DRAFT, owner_id=source.owner_id
        )
        draft.previous = source
        draft.evidence_per_competency = source.evidence_per_competency
        draft.self_assessed = source.self_assessed
        draft.save(update_fields=["previous", "evidence_per_competency", "self_assessed"])
        audit.record(actor=actor, action="framework.new_version", obj=draft,
                     summary=f"New draft version {draft.version} of {source.name}")
    return draft


FRAMEWORK_DETAILS = ("name", "source", "from_level", "to_level", "evidence_per_competency")
MAX_EVIDENCE_NEEDED = 20


def framework_update(*, actor: User, framework: Framework, data: dict[str, Any]) -> Framework:
    """Replace a draft's details and content; published versions are never edited in place."""
    with transaction.atomic():
        locked = Framework.objects.select_for_update().get(pk=framework.pk)
        if locked.status != Framework.Status.DRAFT:
            raise TransitionError("Only a draft can be edited: make a new version instead.")
        problems = frameworks_io.validate_framework(data)
        if problems:
            raise ValidationError(problems)
        if "evidence_per_competency" in data:
            needed = data["evidence_per_competency"]
            if not isinstance(needed, int) or isinstance(needed, bool) or not 0 <= needed <= MAX_EVIDENCE_NEEDED:
                raise ValidationError({"evidence_per_competency": (
                    f"Enter how many dated pieces of evidence each competency needs, from 0 to "
                    f"{MAX_EVIDENCE_NEEDED}.")})
        before = audit.snapshot(locked, list(FRAMEWORK_DETAILS))
        for name in FRAMEWORK_DETAILS:
            if name in data:
                setattr(locked, name, data[name])
        locked.full_clean()
        locked.save()
        if "professions" in data:
            locked.professions.set(Profession.objects.filter(slug__in=data["professions"]))
        if "sections" in data:
            if locked.cases.exists():
                raise TransitionError("Cases already use this version; its competencies cannot change.")
            locked.sections.all().delete()
            for s_order, section_data in enumerate(data["sections"], start=1):
                section = Section.objects.create(
                    framework=locked, title=section_data["title"], order=s_order,
                    required_for_sign_off=section_data.get("required_for_sign_off", False),
                )
                Competency.objects.bulk_create(
                    Competency(section=section, code=c["code"], statement=c["statement"],
                               guidance=c.get("guidance", ""), order=c_order)
                    for c_order, c in enumerate(section_data["competencies"], start=1)
                )
        audit.record(actor=actor, action="framework.update", obj=locked, summary=f"Edited {locked}",
                     before=before, after=audit.snapshot(locked, list(before)))
    return locked


# Structured editing of a draft's content (the CSV text on the edit page is the other way).


def _draft_content(framework: Framework) -> Framework:
    """The draft, locked, whose sections and competencies may change."""
    locked = Framework.objects.select_for_update().get(pk=framework.pk)
    if locked.status != Framework.Status.DRAFT:
        raise TransitionError("Only a draft can be edited: make a new version instead.")
    if locked.cases.exists():
        raise TransitionError("Cases already use this version; its competencies cannot change.")
    return locked


def _text(value: str, field: str, label: str, limit: int | None = None, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: f"Enter the {label}."})
    if limit is not None and len(value) > limit:
        raise ValidationError({field: f"The {label} must be {limit} characters or fewer."})
    return value


def framework_section_save(
    *, actor: User, framework: Framework, title: str, required_for_sign_off: bool, section: Section | None = None,
) -> Section:
    """Add a section at the end of a draft, or change one's title and whether sign-off needs it."""
    title = _text(title, "title", "section's title", 200)
    with transaction.atomic():
        locked = _draft_content(framework)
        if Section.objects.filter(framework=locked, title__iexact=title).exclude(
            pk=section.pk if section else None
        ).exists():
            raise ValidationError({"title": f"There is already a section called “{title}” in this framework."})
        if section is None:
            last = Section.objects.filter(framework=locked).aggregate(n=Max("order"))["n"] or 0
            section = Section.objects.create(framework=locked, title=title, order=last + 1,
                                             required_for_sign_off=required_for_sign_off)
            audit.record(actor=actor, action="framework.section_add", obj=locked, summary=f"Section added: {title}")
            return section
        section = Section.objects.select_for_update().get(pk=section.pk, framework=locked)
        before = audit.snapshot(section, ["title", "required_for_sign_off"])
        section.title, section.required_for_sign_off = title, required_for_sign_off
        section.save(update_fields=["title", "required_for_sign_off"])
        audit.record(actor=actor, action="framework.section_change", obj=locked, summary=f"Section changed: {title}",
                     before=before, after=audit.snapshot(section, list(before)))
    return section


def framework_section_delete(*, actor: User, framework: Framework, section: Section) -> None:
    """Remove a section of a draft with its competencies."""
    with transaction.atomic():
        locked = _draft_content(framework)
        found = Section.objects.select_for_update().filter(pk=section.pk, framework=locked).first()
        if found is None:
            raise TransitionError("This section has already been removed.")
        codes = list(found.competencies.values_list("code", flat=True))
        found.delete()
        audit.record(actor=actor, action="framework.section_delete", obj=locked,
                     summary=f"Section removed: {found.title}", before={"title": found.title, "competencies": codes})


def framework_competency_save(
    *,
    actor: User,
    framework: Framework,
    section: Section,
    code: str,
    statement: str,
    guidance: str = "",
    competency: Competency | None = None,
) -> Competency:
    """Add a competency at the end of a section of a draft, or change one (and the section it is in)."""
    code = _text(code, "code", "code", frameworks_io.MAX_CODE)
    statement = _text(statement, "statement", "statement")
    guidance = _text(guidance, "guidance", "guidance", required=False)
    with transaction.atomic():
        locked = _draft_content(framework)
        if section.framework_id != locked.pk:
            raise ValidationError({"section": "Choose a section of this framework."})
        if Competency.objects.filter(section__framework=locked, code=code).exclude(
            pk=competency.pk if competency else None
        ).exists():
            raise ValidationError({"code": f"The code {code} is already used in this framework."})
        last = Competency.objects.filter(section=section).aggregate(n=Max("order"))["n"] or 0
        if competency is None:
            competency = Competency.objects.create(section=section, code=code, statement=statement,
                                                   guidance=guidance, order=last + 1)
            audit.record(actor=actor, action="framework.competency_add", obj=locked,
                         summary=f"Competency added: {code}")
            return competency
        competency = Competency.objects.select_for_update().get(pk=competency.pk, section__framework=locked)
        before = audit.snapshot(competency, ["section_id", "code", "statement", "guidance"])
        if competency.section_id != section.pk:
            competency.order = last + 1  # moved to the end of its new section
        competency.section, competency.code, competency.statement, competency.guidance = (
            section, code, statement, guidance)
        competency.save()
        audit.record(actor=actor, action="framework.competency_change", obj=locked,
                     summary=f"Competency changed: {code}", before=before,
                     after=audit.snapshot(competency, list(before)))
    return competency


def framework_competency_delete(*, actor: User, framework: Framework, competency: Competency) -> None:
    with transaction.atomic():
        locked = _draft_content(framework)
        found = Competency.objects.select_for_update().filter(pk=competency.pk, section__framework=locked).first()
        if found is None:
            raise TransitionError("This competency has already been removed.")
        before = audit.snapshot(found, ["code", "statement", "guidance"])
        found.delete()
        audit.record(actor=actor, action="framework.competency_delete", obj=locked,
                     summary=f"Competency removed: {before['code']}", before=before)


def framework_content_move(*, actor: User, framework: Framework, kind: str, pk: int, direction: str) -> None:
    """Move a section, or a competency within its section, one place up or down."""
    if direction not in ("up", "down") or kind not in ("section", "competency"):
        raise TransitionError("Choose what to move, and whether up or down.")
    with transaction.atomic():
        locked = _draft_content(framework)
        if kind == "section":
            siblings = list(Section.objects.select_for_update().filter(framework=locked).order_by("order", "pk"))
        else:
            moving = Competency.objects.filter(pk=pk, section__framework=locked).first()
            if moving is None:
                raise TransitionError("That competency is not in this framework.")
            siblings = list(Competency.objects.select_for_update().filter(section_id=moving.section_id)
                            .order_by("order", "pk"))
        index = next((i for i, item in enumerate(siblings) if item.pk == pk), None)
        if index is None:
            raise TransitionError(f"That {kind} is not in this framework.")
        other = index - 1 if direction == "up" else index + 1
        if not 0 <= other < len(siblings):
            raise TransitionError(f"That {kind} is already {'first' if direction == 'up' else 'last'}.")
        siblings[index], siblings[other] = siblings[other], siblings[index]
        for order, item in enumerate(siblings, start=1):
            item.order = order
        type(siblings[0]).objects.bulk_update(siblings, ["order"])
        item = siblings[other]
        audit.record(actor=actor, action=f"framework.{kind}_move", obj=locked,
                     summary=f"Moved {direction}: {getattr(item, 'title', None) or item.code}")


def publish_refusal(framework: Framework) -> str:
    """Why ``framework`` cannot be published as it stands, or "": ``framework_publish`` refuses it, and
    the page that asks the lead to check before publishing says it first."""
    if framework.status != Framework.Status.DRAFT:
        return f"Only a draft can be published; this version is {framework.get_status_display()}."
    if not Competency.objects.filter(section__framework=framework).exists():
        return "A framework needs at least one competency before it is published."
    empty = Section.objects.filter(framework=framework, competencies__isnull=True).values_list("title", flat=True)
    if empty:
        return ("Every section needs a competency before the framework is published: add one to "
                + ", ".join(f"“{title}”" for title in empty) + " or remove it.")
    return ""


def publish_replaces(framework: Framework) -> list[Framework]:
    """The published versions that publishing ``framework`` retires (its cases keep their wording)."""
    return list(Framework.objects.filter(slug=framework.slug, status=Framework.Status.PUBLISHED)
                .exclude(pk=framework.pk).order_by("version"))


def framework_publish(*, actor: User, framework: Framework) -> Framework:
    with transaction.atomic():
        locked = Framework.objects.select_for_update().get(pk=framework.pk)
        refusal = publish_refusal(locked)
        if refusal:
            raise TransitionError(refusal)
        locked.status = Framework.Status.PUBLISHED
        locked.published_at = timezone.now()
        locked.save(update_fields=["status", "published_at", "updated_at"])
        # The previous published version gives way; its cases keep their wording.
        for older in Framework.objects.select_for_update().filter(
            slug=locked.slug, status=Framework.Status.PUBLISHED
        ).exclude(pk=locked.pk):
            older.status = Framework.Status.RETIRED
            older.retired_at = timezone.now()
            older.save(update_fields=["status", "retired_at", "updated_at"])
            audit.record(actor=actor, action="framework.retire", obj=older,
                         summary=f"Replaced by version {locked.version}")
        audit.record(actor=actor, action="framework.publish", obj=locked, summary=f"Published {locked}")
    return locked


def framework_retire(*, actor: User, framework: Framework) -> Framework:
    with transaction.atomic():
        locked = Framework.objects.select_for_update().get(pk=framework.pk)
        if locked.status != Framework.Status.PUBLISHED:
            raise TransitionError("Only a published framework can be retired.")
        locked.status = Framework.Status.RETIRED
        locked.retired_at = timezone.now()
        locked.save(update_fields=["status", "retired_at", "updated_at"])
        audit.record(actor=actor, action="framework.retire", obj=locked, summary=f"Retired {locked}")
    return locked


def _prefetched(framework: Framework) -> Framework:
    return Framework.objects.prefetch_related("professions", "sections__competencies").get(pk=framework.pk)
