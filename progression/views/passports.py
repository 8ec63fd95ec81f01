"""Skills passports: the worker's own passports and the skills they record, their line manager's
view of the team's passports with what waits for verification, and the import template.

Access is decided by ``preceptorship.access`` only (404 outside the scope, 403 for read-only
viewers); every change goes through ``progression.services``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from preceptorship import access
from preceptorship.pages import ServiceFormMixin, crumbs
from progression import access as progression_access
from progression import forms, frameworks_io, services
from progression.models import Framework, PassportSkill, SkillsPassport

Verification = PassportSkill.Verification


def counted_passports(passports: Any) -> Any:
    return passports.select_related("framework", "worker", "team").annotate(
        total=Count("skills"),
        waiting=Count("skills", filter=Q(skills__verification=Verification.WAITING)),
        verified=Count("skills", filter=Q(skills__verification=Verification.VERIFIED)),
    ).order_by("worker__last_name", "worker__first_name", "framework__to_level", "pk")


def _list_crumbs(*extra: tuple[str, str]) -> list[tuple[str, str]]:
    return crumbs(("Skills passports", reverse("progression:passport-list")), *extra)


def available_passports(user: Any) -> Any:
    """Published skills passports the worker has not started (on any version)."""
    started = SkillsPassport.objects.filter(worker=user).values("framework__slug")
    return (Framework.objects.filter(kind=Framework.Kind.SKILLS_PASSPORT, status=Framework.Status.PUBLISHED)
            .exclude(slug__in=started).order_by("to_level", "name"))


class PassportListView(TemplateView):
    """Your own passports and the ones to start; for a line manager, the team's passports with how many
    skills wait for verification."""

    template_name = "progression/passport_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        in_scope = access.scope(user, SkillsPassport)
        may_keep = progression_access.may_keep_passport(user)
        context.update(
            own=list(counted_passports(in_scope.filter(worker=user))),
            team=list(counted_passports(in_scope.exclude(worker=user))) if progression_access.may_verify_passports(user)
            else [],
            may_keep=may_keep,
            available=list(available_passports(user)) if may_keep else [],
            crumbs=crumbs(),
        )
        return context


class PassportStartView(ServiceFormMixin, FormView):
    template_name = "progression/passport_start.html"
    form_class = forms.PassportStartForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        access.refuse_unless(progression_access.may_keep_passport(request.user),
                             "Only a worker keeps a skills passport.")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "frameworks": available_passports(self.request.user)}

    def perform(self, form: forms.PassportStartForm) -> SkillsPassport:
        return services.passport_start(actor=self.request.user, framework=form.cleaned_data["framework"])

    success_message = "Your skills passport is started."

    def get_success_url(self) -> str:
        return self.result.get_absolute_url()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["crumbs"] = _list_crumbs()
        return context


def get_passport(request: HttpRequest, pk: int, action: str = "view") -> SkillsPassport:
    passports = SkillsPassport.objects.select_related("framework", "worker", "team", "organisation")
    return access.get_for_user(request.user, passports, action=action, pk=pk)


class PassportDetailView(TemplateView):
    template_name = "progression/passport_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        passport = get_passport(self.request, self.kwargs["pk"])
        policy = access.policy_for(SkillsPassport)
        skills = list(passport.skills.select_related("competency__section", "verified_by")
                      .order_by("competency__section__order", "competency__order"))
        sections: dict[int, dict[str, Any]] = {}
        for skill in skills:
            sections.setdefault(skill.competency.section_id,
                                {"title": skill.competency.section.title, "skills": []})["skills"].append(skill)
        context.update(
            passport=passport, sections=list(sections.values()),
            may_record=policy.allows(self.request.user, passport, "record"),
            may_verify=policy.allows(self.request.user, passport, "verify"),
            waiting=sum(1 for s in skills if s.verification == Verification.WAITING),
            verified=sum(1 for s in skills if s.verification == Verification.VERIFIED), total=len(skills),
            crumbs=_list_crumbs(),
        )
        return context


class _SkillFormView(ServiceFormMixin, FormView):
    action = ""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        get_passport(request, kwargs["pk"])  # outsiders: 404 before anything else
        self.passport = get_passport(request, kwargs["pk"], self.action)
        self.skill = (self.passport.skills.select_related("competency__section")
                      .filter(competency_id=kwargs["competency"]).first())
        if self.skill is None:
            raise Http404("No such skill on this passport.")
        return super().dispatch(request, *args, **kwargs)

    def get_success_url(self) -> str:
        return f"{self.passport.get_absolute_url()}#skill-{self.skill.competency_id}"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(passport=self.passport, skill=self.skill,
                       crumbs=_list_crumbs((self.passport.framework.name, self.passport.get_absolute_url())))
        return context


class PassportSkillView(_SkillFormView):
    """The worker records a skill as achieved, with the date and an optional evidence note."""

    template_name = "progression/passport_skill.html"
    form_class = forms.PassportSkillForm
    action = "record"

    def get_initial(self) -> dict[str, Any]:
        return {"achieved_on": self.skill.achieved_on, "evidence_note": self.skill.evidence_note}

    def perform(self, form: forms.PassportSkillForm) -> Any:
        self.success_message = f"{self.skill.competency.code} is recorded: it waits for your manager to verify it."
        return services.passport_skill_record(actor=self.request.user, passport=self.passport,
                                              competency=self.skill.competency, **form.cleaned_data)


class PassportVerifyView(_SkillFormView):
    """The line manager verifies a recorded skill, or says "not yet" with a reason."""

    template_name = "progression/passport_verify.html"
    form_class = forms.PassportVerifyForm
    action = "verify"

    def perform(self, form: forms.PassportVerifyForm) -> Any:
        self.success_message = f"{self.skill.competency.code} is saved."
        return services.passport_skill_verify(actor=self.request.user, passport=self.passport,
                                              competency=self.skill.competency, **form.cleaned_data)


def passport_template(request: HttpRequest) -> HttpResponse:
    """The framework import's CSV, laid out for a skills passport: the kind and level columns filled,
    and example rows to replace."""
    access.refuse_unless(progression_access.can_manage_frameworks(request.user),
                         "Only a programme lead imports frameworks.")
    response = HttpResponse(frameworks_io.passport_template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="skills-passport-template.csv"'
    return response
