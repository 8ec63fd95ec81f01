"""Reflections: writing (saved while typed), sharing and feedback.

Access is decided by ``preceptorship.access`` only: outsiders get 404, people who may read but
not act get 403. Every change goes through ``programmes.services``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, FormView, ListView

from preceptorship import access
from preceptorship.models import Membership
from preceptorship.pages import add_service_errors
from programmes import services
from programmes.access import practice_enrolments
from programmes.forms.practice import (
    FeedbackForm,
    ReflectionForm,
    ReflectiveModelForm,
    ShareForm,
)
from programmes.models import (
    REFLECTIVE_MODELS,
    Enrolment,
    Reflection,
    ReflectionFeedback,
)
from programmes.services import TransitionError
from programmes.views.common import EnrolmentMixin, PracticeFormMixin, enrolment_crumbs, roles_on

Role = Membership.Role

Role = Membership.Role


# Reflections


class ReflectionListView(EnrolmentMixin, ListView):
    template_name = "programmes/practice/reflection_list.html"
    context_object_name = "reflections"

    def get_queryset(self) -> QuerySet[Reflection]:
        # Scoped: the author sees all of theirs; mentor and line manager only what was shared with them.
        return access.scope(self.request.user, Reflection).filter(enrolment=self.enrolment)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(crumbs=self.crumbs(),
                       can_write=access.can(self.request.user, self.enrolment, "write_reflection"))
        return context


def draft_key(enrolment: Enrolment, model_key: str, reflection: Reflection | None) -> str:
    return f"reflection-{reflection.pk}" if reflection else f"reflection-new-{enrolment.pk}-{model_key}"


class ReflectionFormMixin(PracticeFormMixin):
    form_class = ReflectionForm
    template_name = "programmes/practice/reflection_form.html"
    reflection: Reflection | None = None

    def get_form_kwargs(self) -> dict[str, Any]:
        goals = list(self.enrolment.goals.all())
        return {**super().get_form_kwargs(), "model": self.model_key, "enrolment": self.enrolment, "goals": goals}

    def perform(self, form: ReflectionForm) -> Reflection:
        finish = "draft" not in self.request.POST
        self.success_message = "Your reflection is saved." if finish else (
            "Your draft is saved. Only you can see it."
        )
        with transaction.atomic():
            reflection = services.reflection_save(
                actor=self.request.user, enrolment=self.enrolment,
                reflection=self.reflection or autosaved_draft(self.request, self.enrolment),
                title=form.cleaned_data["title"], model=self.model_key, answers=form.answers(), finish=finish,
                goals=form.chosen_goals(), competencies=form.cleaned_data.get("competencies") or [],
            )
            with_mentor = bool(form.cleaned_data.get("with_mentor"))
            with_line_manager = bool(form.cleaned_data.get("with_line_manager"))
            changed = (with_mentor, with_line_manager) != (reflection.shared_with_mentor,
                                                           reflection.shared_with_line_manager)
            if finish and changed:
                reflection = services.reflection_share(actor=self.request.user, reflection=reflection,
                                                       with_mentor=with_mentor, with_line_manager=with_line_manager)
                if with_mentor:
                    self.success_message = "Your reflection is saved and shared."
        return reflection

    def get_success_url(self) -> str:
        return self.result.get_absolute_url()

    def get_form(self, form_class: Any = None) -> Any:
        form = super().get_form(form_class)
        if isinstance(form, ReflectionForm):
            # The browser keeps what is typed under this key until the saved reflection is shown.
            form.helper.attrs = {"data-app-draft": draft_key(self.enrolment, self.model_key, self.reflection)}
            # A new reflection or a draft is also saved on the server as the author writes; a finished
            # one changes only when its author presses a button (its readers may be reading it).
            if self.reflection is None or self.reflection.status == Reflection.Status.DRAFT:
                form.helper.attrs.update({
                    "data-app-autosave": self.autosave_url(),
                    "data-app-autosave-seconds": str(getattr(settings, "REFLECTION_AUTOSAVE_SECONDS", 20)),
                })
        return form

    def autosave_url(self) -> str:
        if self.reflection is not None:
            return reverse("programmes:reflection-autosave", args=[self.reflection.pk])
        new = reverse("programmes:reflection-autosave-new", args=[self.enrolment.pk])
        return f"{new}?{urlencode({'model': self.model_key})}"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "enrolment": self.enrolment, "model_key": self.model_key}

    def crumbs(self) -> list[tuple[str, str]]:
        return enrolment_crumbs(self.enrolment, ("Reflections", reverse("programmes:reflection-list",
                                                                        args=[self.enrolment.pk])))


class ReflectionCreateView(EnrolmentMixin, ReflectionFormMixin, FormView):
    """First the reflective model (``?model=``), then its questions."""

    enrolment_action = "write_reflection"
    heading = "Write a reflection"
    caption = "Only you can see it until you choose to share it."

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.model_key = request.GET.get("model", "")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.model_key not in REFLECTIVE_MODELS:
            choose = ReflectiveModelForm(request.GET if "model" in request.GET else None)
            if choose.is_bound:
                choose.is_valid()
            context = self.get_context_data(form=choose)
            return self.render_to_response({**context, "choosing": True})
        return super().get(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.model_key not in REFLECTIVE_MODELS:
            return redirect(reverse("programmes:reflection-create", args=[self.enrolment.pk]))
        return super().post(request, *args, **kwargs)


class ReflectionUpdateView(ReflectionFormMixin, FormView):
    heading = "Change your reflection"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.reflection = access.get_for_user(
            request.user, Reflection.objects.select_related("enrolment__programme", "enrolment__preceptee"),
            action="change", pk=kwargs["pk"],
        )
        self.enrolment = self.reflection.enrolment
        self.model_key = self.reflection.model
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        return ReflectionForm.initial_from(self.reflection)


SIGNED_OUT = "You are signed out, so the draft was not saved. Sign in again to save it."


def json_endpoint(view: Callable[..., JsonResponse]) -> Callable[..., JsonResponse]:
    """A POST the page's script sends: every answer is JSON, including being signed out (401 rather
    than the sign-in page, so the page can say so and keep what was typed), 404 and 403."""

    @login_not_required
    @require_POST
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        if not request.user.is_authenticated:
            return JsonResponse({"message": SIGNED_OUT}, status=401)
        try:
            return view(request, *args, **kwargs)
        except Http404:
            return JsonResponse({"message": "Not found."}, status=404)
        except PermissionDenied:
            return JsonResponse({"message": "Only the author can save this reflection."}, status=403)

    return wrapper


def _not_saved(status: int, errors: dict[str, list[str]]) -> JsonResponse:
    messages_ = [message for field_messages in errors.values() for message in field_messages]
    return JsonResponse({"message": "The draft was not saved: " + " ".join(messages_), "errors": errors},
                        status=status)


AUTOSAVED = "reflection_autosaved"  # session key: the page's draft token -> the draft its first save created
AUTOSAVED_KEPT = 20


def _draft_token(request: HttpRequest) -> str:
    return request.POST.get("draft_token", "")[:64]


def autosaved_draft(request: HttpRequest, enrolment: Enrolment) -> Reflection | None:
    """The draft an earlier autosave of this page created (the page may have been left before it
    heard back), so saving again changes that draft rather than making a second one."""
    token = _draft_token(request)
    pk = request.session.get(AUTOSAVED, {}).get(token)
    if not token or not isinstance(pk, int):
        return None
    return Reflection.objects.filter(
        pk=pk, author=request.user, enrolment=enrolment, status=Reflection.Status.DRAFT,
    ).first()


def _remember_autosaved(request: HttpRequest, reflection: Reflection) -> None:
    token = _draft_token(request)
    if token:
        kept = request.session.get(AUTOSAVED, {})
        kept[token] = reflection.pk
        request.session[AUTOSAVED] = dict(list(kept.items())[-AUTOSAVED_KEPT:])


def _autosave(
    request: HttpRequest, enrolment: Enrolment, reflection: Reflection | None, model_key: str
) -> JsonResponse:
    if model_key not in REFLECTIVE_MODELS:
        return _not_saved(400, {"model": ["Choose a reflective model."]})
    if reflection is not None and reflection.status != Reflection.Status.DRAFT:
        return _not_saved(409, {"__all__": ["This reflection is finished: save your changes with the button."]})
    reflection = reflection or autosaved_draft(request, enrolment)
    data = request.POST
    if reflection is not None:
        # A box missing from the request (a broken request, a page from before a change) keeps what the
        # draft holds instead of emptying it.
        data = request.POST.copy()
        for name, value in ReflectionForm.initial_from(reflection).items():
            if name not in data and isinstance(value, str):
                data[name] = value
    form = ReflectionForm(data, model=model_key, enrolment=enrolment, goals=list(enrolment.goals.all()))
    form.fields["title"].required = False  # a draft may have no title yet ("Untitled reflection")
    if not form.is_valid():
        return _not_saved(400, {field: list(errors) for field, errors in form.errors.items()})
    typed = form.cleaned_data["title"].strip() or any(value.strip() for value in form.answers().values())
    if reflection is None and not typed:
        return _not_saved(400, {"__all__": ["Write something first."]})
    if not typed:
        # Every box empty: an autosave never blanks a draft (the buttons save what the page shows).
        return _not_saved(400, {"__all__": ["nothing was written, so your saved draft is kept as it was."]})
    try:
        saved = services.reflection_save(
            actor=request.user, enrolment=enrolment, reflection=reflection, title=form.cleaned_data["title"],
            model=model_key, answers=form.answers(), finish=False, goals=form.chosen_goals(),
            competencies=form.cleaned_data.get("competencies") or [],
        )
    except ValidationError as error:
        return _not_saved(400, error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages})
    except TransitionError as error:
        return _not_saved(409, {"__all__": [str(error)]})
    _remember_autosaved(request, saved)
    at = f"{timezone.localtime(saved.updated_at):%H:%M}"
    return JsonResponse({
        "id": saved.pk, "saved_at": at, "message": f"Draft saved at {at}. Only you can see it.",
        "autosave_url": reverse("programmes:reflection-autosave", args=[saved.pk]),
        "form_url": reverse("programmes:reflection-update", args=[saved.pk]),
        "draft_key": draft_key(enrolment, model_key, saved),
    })


@json_endpoint
def reflection_autosave_new(request: HttpRequest, pk: int) -> JsonResponse:
    """The first save of a reflection being written (``?model=``): creates the draft and answers where
    the next saves go, so they change that draft instead of making another."""
    enrolment = access.get_for_user(
        request.user, practice_enrolments(request.user).select_related("programme"), action="write_reflection", pk=pk,
    )
    return _autosave(request, enrolment, None, request.GET.get("model", ""))


@json_endpoint
def reflection_autosave(request: HttpRequest, pk: int) -> JsonResponse:
    """Saves what the author has written so far into their draft."""
    reflection = access.get_for_user(
        request.user, Reflection.objects.select_related("enrolment__programme"), action="change", pk=pk,
    )
    return _autosave(request, reflection.enrolment, reflection, reflection.model)


def _reflection_for(user: Any, pk: int, action: str = "view") -> Reflection:
    queryset = Reflection.objects.select_related(
        "author", "enrolment__programme", "enrolment__preceptee", "enrolment__mentor", "enrolment__line_manager"
    )
    return access.get_for_user(user, queryset, action=action, pk=pk)


REFLECTION_TEMPLATE = "programmes/practice/reflection_detail.html"


def _reflection_context(
    request: HttpRequest, reflection: Reflection, feedback_form: FeedbackForm | None = None,
    share_form: ShareForm | None = None,
) -> dict[str, Any]:
    enrolment = reflection.enrolment
    is_author = reflection.author_id == request.user.pk
    context = {
        "reflection": reflection, "enrolment": enrolment, **roles_on(request.user, enrolment),
        "is_author": is_author, "can_feedback": access.can(request.user, reflection, "feedback"),
        "drafts_replaced": f"{draft_key(enrolment, reflection.model, None)} {draft_key(enrolment, '', reflection)}",
        "feedback": ReflectionFeedback.objects.filter(reflection=reflection).select_related("author"),
        "goals": reflection.goals.all(), "competencies": reflection.competencies.all(),
        "feedback_form": feedback_form or FeedbackForm(),
        "share_form": share_form or ShareForm(initial={"with_mentor": reflection.shared_with_mentor,
                                                       "with_line_manager": reflection.shared_with_line_manager}),
        "crumbs": enrolment_crumbs(enrolment, ("Reflections", reverse("programmes:reflection-list",
                                                                      args=[enrolment.pk]))),
    }
    return context


class ReflectionDetailView(DetailView):
    template_name = REFLECTION_TEMPLATE
    context_object_name = "reflection"

    def get_object(self, queryset: Any = None) -> Reflection:
        return _reflection_for(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), **_reflection_context(self.request, self.object)}


@require_POST
def reflection_share(request: HttpRequest, pk: int) -> HttpResponse:
    reflection = _reflection_for(request.user, pk, action="share")
    form = ShareForm(request.POST)
    form.is_valid()  # two check boxes: always valid
    try:
        services.reflection_share(
            actor=request.user, reflection=reflection, with_mentor=form.cleaned_data.get("with_mentor", False),
            with_line_manager=form.cleaned_data.get("with_line_manager", False),
        )
    except ValidationError as error:
        add_service_errors(form, error)
    except TransitionError as error:
        messages.info(request, str(error))  # a draft has no sharing form to show the message beside
        return redirect(reflection)
    else:
        shared = form.cleaned_data.get("with_mentor")
        messages.success(request, "Your reflection is shared." if shared else "Your reflection is private again.")
        return redirect(reflection)
    return render(request, REFLECTION_TEMPLATE, _reflection_context(request, reflection, share_form=form))


@require_POST
def reflection_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    reflection = _reflection_for(request.user, pk, action="feedback")
    form = FeedbackForm(request.POST)
    if form.is_valid():
        try:
            services.reflection_add_feedback(actor=request.user, reflection=reflection, text=form.cleaned_data["text"])
        except ValidationError as error:
            add_service_errors(form, error)
        except TransitionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Your feedback is sent to {reflection.author}.")
            return redirect(reflection)
    return render(request, REFLECTION_TEMPLATE, _reflection_context(request, reflection, feedback_form=form))
