"""The one place that decides what a user may see and change.

Each object kind has a policy registered here (the apps register theirs from their own
``access.py`` when they load). Views never filter by hand: they call ``scope`` for lists and
``get_for_user`` for one object, which answers 404 to anyone outside the object's scope and
raises ``PermissionDenied`` (403) for someone who may read it but not take the action asked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404

from preceptorship.models import Membership, Notification, Organisation, StaffImport, Team, User

Role = Membership.Role
M = TypeVar("M", bound=models.Model)

_CACHE_ATTR = "_access_memberships"


def memberships(user: Any) -> list[Membership]:
    """The user's memberships, loaded once per user object (one query per request)."""
    if not getattr(user, "is_authenticated", False):
        return []
    # An actor that is not a person (an organisation's API token) names the roles it acts in itself.
    acting = getattr(user, "acting_memberships", None)
    if acting is not None:
        return list(acting)
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user_id=user.pk).select_related("organisation", "team")
        )
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget(user: Any) -> None:
    """Drop the cached memberships (after roles change in the same request or test)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def roles(user: Any) -> set[str]:
    found = {m.role for m in memberships(user)}
    if getattr(user, "is_superuser", False):
        found.add(Role.ADMINISTRATOR)
    return found


def has_role(user: Any, *wanted: str, organisation: Organisation | int | None = None) -> bool:
    org_id = organisation.pk if isinstance(organisation, Organisation) else organisation
    return any(
        m.role in wanted and (org_id is None or m.organisation_id == org_id) for m in memberships(user)
    )


def organisation_ids(user: Any, *wanted: str) -> set[int]:
    """Organisations where the user holds any of the roles asked (all roles when none given)."""
    return {m.organisation_id for m in memberships(user) if not wanted or m.role in wanted}


def team_ids(user: Any, *wanted: str) -> set[int]:
    return {m.team_id for m in memberships(user) if m.team_id and (not wanted or m.role in wanted)}


def ics_ids(user: Any, *wanted: str) -> set[int]:
    return {
        m.organisation.ics_id for m in memberships(user) if m.organisation.ics_id and (not wanted or m.role in wanted)
    }


def is_administrator(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False)) or has_role(user, Role.ADMINISTRATOR)


class Policy:
    """Rules for one object kind. ``scope`` limits a queryset to what the user may see;
    ``allows`` says whether the user may take an action (other than viewing) on one object."""

    def scope(self, user: Any, queryset: models.QuerySet) -> models.QuerySet:
        return queryset.none()

    def allows(self, user: Any, obj: Any, action: str) -> bool:
        return False

    def sees(self, user: Any, obj: Any) -> bool:
        """True when the object's own fields and the user's roles show that ``scope`` holds it, for
        ``get_for_user`` to skip the scope's query. Never broader than ``scope``: False only means
        "ask the scope"."""
        return False


_policies: dict[type[models.Model], Policy] = {}


def register(model: type[models.Model]) -> Callable[[type[Policy]], type[Policy]]:
    def decorator(policy_class: type[Policy]) -> type[Policy]:
        _policies[model] = policy_class()
        return policy_class

    return decorator


def policy_for(model: type[models.Model]) -> Policy:
    try:
        return _policies[model]
    except KeyError:
        raise LookupError(f"No access policy is registered for {model.__name__}.") from None


def scope(user: Any, source: type[M] | models.QuerySet) -> models.QuerySet:
    """Everything of this kind the user may see."""
    queryset = source if isinstance(source, models.QuerySet) else source._default_manager.all()
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    return policy_for(queryset.model).scope(user, queryset)


def can(user: Any, obj: models.Model, action: str = "view") -> bool:
    if action == "view":
        return scope(user, type(obj)._default_manager.filter(pk=obj.pk)).exists()
    return policy_for(type(obj)).allows(user, obj, action)


def require(user: Any, obj: models.Model, action: str) -> None:
    """Raise 403 unless the user may take the action on an object they can already see."""
    if action != "view" and not policy_for(type(obj)).allows(user, obj, action):
        raise PermissionDenied(f"You cannot {action.replace('_', ' ')} this.")


def get_for_user(
    user: Any, source: type[M] | models.QuerySet, *, action: str = "view", **lookup: Any
) -> M:
    """One object the user may see (404 otherwise), checked for the action (403 otherwise).

    Where the policy can tell from the object that the user sees it (``Policy.sees``), the object is
    read by its lookup alone and the scope asked only when it cannot: a scope with several
    conditions costs more to build and plan than the read itself."""
    queryset = source if isinstance(source, models.QuerySet) else source._default_manager.all()
    policy = policy_for(queryset.model)
    if not getattr(user, "is_authenticated", False) or type(policy).sees is Policy.sees:
        obj = _get_or_404(scope(user, queryset), lookup)
    else:
        obj = _get_or_404(queryset, lookup)
        if not policy.sees(user, obj) and not scope(user, queryset.model._default_manager.filter(pk=obj.pk)).exists():
            raise Http404("Not found.")
    require(user, obj, action)
    return obj


def _get_or_404(queryset: models.QuerySet, lookup: dict[str, Any]) -> Any:
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404("Not found.") from None


def any_role(*wanted: str) -> Callable[[Any], bool]:
    """A predicate for navigation and home panels."""
    return lambda user: bool(roles(user) & set(wanted))


# Policies for the core's own objects.


@register(Organisation)
class OrganisationPolicy(Policy):
    def scope(self, user: Any, queryset: models.QuerySet) -> models.QuerySet:
        if is_administrator(user):
            return queryset
        ics = ics_ids(user, Role.ICS_LEAD)
        return queryset.filter(
            models.Q(pk__in=organisation_ids(user)) | models.Q(ics_id__in=ics)
        ).distinct()

    def allows(self, user: Any, obj: Any, action: str) -> bool:
        return is_administrator(user)


@register(Team)
class TeamPolicy(Policy):
    def scope(self, user: Any, queryset: models.QuerySet) -> models.QuerySet:
        if is_administrator(user):
            return queryset
        return queryset.filter(organisation_id__in=organisation_ids(user))

    def allows(self, user: Any, obj: Any, action: str) -> bool:
        return is_administrator(user) or has_role(user, Role.PROGRAMME_LEAD, organisation=obj.organisation_id)


@register(User)
class UserPolicy(Policy):
    """A person's directory entry: themselves, and colleagues in organisations where the viewer
    manages people (programme leads, line managers, Heads of Service, HR)."""

    MANAGING = (Role.PROGRAMME_LEAD, Role.LINE_MANAGER, Role.HEAD_OF_SERVICE, Role.OPERATIONAL_DIRECTOR, Role.HR)

    def scope(self, user: Any, queryset: models.QuerySet) -> models.QuerySet:
        if is_administrator(user):
            return queryset
        orgs = organisation_ids(user, *self.MANAGING)
        return queryset.filter(models.Q(pk=user.pk) | models.Q(memberships__organisation_id__in=orgs)).distinct()

    def allows(self, user: Any, obj: Any, action: str) -> bool:
        return obj.pk == user.pk or is_administrator(user)


@register(Notification)
class NotificationPolicy(Policy):
    def scope(self, user: Any, queryset: models.QuerySet) -> models.QuerySet:
        return queryset.filter(recipient_id=user.pk)

    def allows(self, user: Any, obj: Any, action: str) -> bool:
        return obj.recipient_id == user.pk


def may_import_staff(user: Any) -> bool:
    """Programme leads import the staff of the organisations they lead; administrators any."""
    return is_administrator(user) or has_role(user, Role.PROGRAMME_LEAD)


@register(StaffImport)
class StaffImportPolicy(Policy):
    """A staff import belongs to the person who uploaded it, while they may still import."""

    def scope(self, user: Any, queryset: models.QuerySet) -> models.QuerySet:
        return queryset.filter(uploaded_by_id=user.pk)

    def allows(self, user: Any, obj: Any, action: str) -> bool:
        return obj.uploaded_by_id == user.pk and may_import_staff(user)


def refuse_unless(allowed: bool, refusal: str) -> None:
    """Enforce, in a view, a rule an access module decides: a 403 saying ``refusal`` when not allowed."""
    if not allowed:
        raise PermissionDenied(refusal)


def people_in(organisations: Iterable[int], *wanted: str) -> models.QuerySet:
    """Users holding any of the roles in the given organisations (for choosing mentors etc.)."""
    return User.objects.filter(
        memberships__organisation_id__in=list(organisations), memberships__role__in=wanted, is_active=True
    ).distinct()
