"""The base of every admin class: each change made on the admin pages is written to the audit log
(``preceptorship/audit.py``) with the fields before and after, and append-only records (decisions,
marks, published frameworks, the audit log itself, notifications' delivery) cannot be changed or
deleted there at all.

The admin pages write to the database directly rather than through the services, so this is where
their changes are checked and recorded: each app's ``admin.py`` uses ``AuditedModelAdmin`` (or
``AuditedAdminMixin`` with another base, such as Django's ``UserAdmin``), ``AppendOnlyAdmin`` for
records nobody changes, and ``is_append_only`` for records that are locked once they reach a state.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import HttpRequest

from preceptorship import audit

# Set on an object once this request's change to it is recorded, so ``log_change`` does not record
# it again (it records the admin's changes that bypass ``save_model``, such as a password change).
_RECORDED = "_admin_change_recorded"
# Stored values never copied into the log (a password, a sign-in provider's client secret, an API
# token's hash): the log says that they changed, not what they are.
SECRET_NAME = re.compile(r"password|secret|token|hash|otp|private|(^|_)key$")
CHANGED_SECRET = "(changed)"
NOT_RECORDED = "(not recorded)"


def is_secret(name: str) -> bool:
    return bool(SECRET_NAME.search(name))


def snapshot(obj: models.Model, *, with_many: bool = True) -> dict[str, Any]:
    """Every stored field of the record (ids for relations), without the times Django keeps by itself."""
    values: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if getattr(field, "auto_now", False) or field.primary_key:
            continue
        values[field.name] = getattr(obj, field.attname)
    if with_many and obj.pk is not None:
        for field in obj._meta.many_to_many:
            values[field.name] = sorted(getattr(obj, field.name).values_list("pk", flat=True))
    return audit.jsonable(values)


def masked(values: dict[str, Any], *, with_values: bool = True, marker: str = CHANGED_SECRET) -> dict[str, Any]:
    """The values the log may hold: secrets (and, without ``with_values``, every value) replaced by
    ``marker``."""
    return {name: value if with_values and not is_secret(name) else marker for name, value in values.items()}


def difference(before: dict[str, Any], after: dict[str, Any], *, with_values: bool = True
               ) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields whose value changed, with secrets named but never shown."""
    changed = [name for name in after if before.get(name) != after.get(name)]
    return (masked({name: before.get(name) for name in changed}, with_values=with_values),
            masked({name: after.get(name) for name in changed}, with_values=with_values))


def _kind(obj: models.Model) -> str:
    return str(obj._meta.verbose_name)


def record_admin_change(*, actor: Any, obj: models.Model, action: str, before: dict[str, Any] | None = None,
                        after: dict[str, Any] | None = None, object_id: Any = None) -> None:
    verb = {"add": "Added", "change": "Changed", "delete": "Deleted"}[action]
    entry = audit.entry(actor=actor, action=f"admin.{action}", obj=obj,
                        summary=f"{verb} on the admin pages: {_kind(obj)} {obj}", before=before, after=after)
    if object_id is not None:
        entry.object_id = str(object_id)
    entry.save()


class AuditedAdminMixin:
    """Records every save, delete and bulk delete of the admin class it is mixed into; refuses to
    change or delete a record for which ``is_append_only`` is true (the page shows it read-only).
    An admin class whose saves and deletes call the services (which write the log themselves) sets
    ``recorded_by_services``."""

    recorded_by_services = False
    # False for admin classes this base was added to (``audit_every_admin``): their fields are not
    # known to be fit for the log, so it names the fields changed without their values.
    audit_values = True

    def is_append_only(self, obj: Any) -> bool:
        """True for a record that may no longer change (a published framework version, say)."""
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and self.is_append_only(obj):
            return False
        return super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and self.is_append_only(obj):
            return False
        return super().has_delete_permission(request, obj)  # type: ignore[misc]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        stored = type(obj)._default_manager.filter(pk=obj.pk).first() if change and obj.pk is not None else None
        if stored is not None and self.is_append_only(stored):
            raise PermissionDenied("This record can no longer be changed.")
        if not self.recorded_by_services:
            obj._admin_before = snapshot(stored) if stored is not None else None
        super().save_model(request, obj, form, change)  # type: ignore[misc]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)  # type: ignore[misc]
        obj = form.instance
        if not hasattr(obj, "_admin_before"):
            return  # saved by a service of its own (which wrote the log)
        before = obj._admin_before
        after = snapshot(obj)
        if before is None:
            record_admin_change(actor=request.user, obj=obj, action="add",
                                after=masked(after, with_values=self.audit_values, marker=NOT_RECORDED))
        else:
            old, new = difference(before, after, with_values=self.audit_values)
            if new:
                record_admin_change(actor=request.user, obj=obj, action="change", before=old, after=new)
        setattr(obj, _RECORDED, True)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """The rows of an inline table: each added, changed and deleted row recorded on its own."""
        if self.recorded_by_services:
            return super().save_formset(request, form, formset, change)  # type: ignore[misc]
        model = formset.model
        touched = [f.instance.pk for f in formset.initial_forms if f.instance.pk is not None and f.has_changed()]
        touched += [f.instance.pk for f in formset.deleted_forms if f.instance.pk is not None]
        stored = {row.pk: row for row in model._default_manager.filter(pk__in=touched)}
        if any(self.is_append_only(row) for row in stored.values()):
            raise PermissionDenied("These records can no longer be changed.")
        before = {pk: snapshot(row) for pk, row in stored.items()}
        deleted_ids = {id(f.instance): f.instance.pk for f in formset.deleted_forms}
        super().save_formset(request, form, formset, change)  # type: ignore[misc]
        for obj in formset.new_objects:
            record_admin_change(actor=request.user, obj=obj, action="add",
                                after=masked(snapshot(obj), with_values=self.audit_values, marker=NOT_RECORDED))
        for obj, _fields in formset.changed_objects:
            old, new = difference(before.get(obj.pk, {}), snapshot(obj), with_values=self.audit_values)
            if new:
                record_admin_change(actor=request.user, obj=obj, action="change", before=old, after=new)
        for obj in formset.deleted_objects:
            pk = deleted_ids.get(id(obj), obj.pk)
            record_admin_change(actor=request.user, obj=obj, action="delete", object_id=pk,
                                before=masked(before.get(pk, {}), with_values=self.audit_values, marker=NOT_RECORDED))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        if self.is_append_only(obj):
            raise PermissionDenied("This record can no longer be deleted.")
        if self.recorded_by_services:
            return super().delete_model(request, obj)  # type: ignore[misc]
        with transaction.atomic():
            pk, before = obj.pk, masked(snapshot(obj), with_values=self.audit_values, marker=NOT_RECORDED)
            record_admin_change(actor=request.user, obj=obj, action="delete", before=before, object_id=pk)
            super().delete_model(request, obj)  # type: ignore[misc]

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        """The "delete selected" action: refused whole if any record chosen is append-only."""
        with transaction.atomic():
            rows = list(queryset)
            if any(self.is_append_only(row) for row in rows):
                raise PermissionDenied("Some of these records can no longer be deleted.")
            for row in rows if not self.recorded_by_services else []:
                record_admin_change(actor=request.user, obj=row, action="delete", object_id=row.pk,
                                    before=masked(snapshot(row), with_values=self.audit_values, marker=NOT_RECORDED))
            super().delete_queryset(request, queryset)  # type: ignore[misc]

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        if not self.recorded_by_services and not getattr(obj, _RECORDED, False):
            # A change made outside save_model (Django's own password form, say): named, not shown.
            parts = message if isinstance(message, list) else []
            fields = sorted({name for part in parts if isinstance(part, dict)
                             for name in part.get("changed", {}).get("fields", [])})
            record_admin_change(actor=request.user, obj=obj, action="change",
                                after={name: CHANGED_SECRET for name in fields} or {"admin": str(message)[:200]})
            setattr(obj, _RECORDED, True)
        return super().log_change(request, obj, message)  # type: ignore[misc]


class AuditedModelAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """The admin class every app's ``admin.py`` uses."""


class AppendOnlyAdmin(AuditedModelAdmin):
    """Records nobody changes: viewed on the admin pages, never added, changed or deleted there."""

    def is_append_only(self, obj: Any) -> bool:
        return True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AppendOnlyInline(admin.TabularInline):
    """Append-only rows on their parent's page: shown, never added, changed or deleted."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LockedWithParentInline(admin.TabularInline):
    """Rows that are locked when their parent is (``parent_is_locked``): a published framework's
    sections, a published section's competencies."""

    def parent_is_locked(self, parent: Any) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not (obj is not None and self.parent_is_locked(obj)) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not (obj is not None and self.parent_is_locked(obj)) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not (obj is not None and self.parent_is_locked(obj)) and super().has_delete_permission(request, obj)


def audit_every_admin(site: admin.AdminSite = admin.site) -> None:
    """Give every admin class registered without this base (Django's groups, django-axes' sign-in
    lockouts, an app that forgot) the audit of its changes, so none escapes the log. Called once the
    admin modules are loaded (``PreceptorshipConfig.ready``)."""
    from django.apps import apps

    for model in apps.get_models():
        if not site.is_registered(model):
            continue
        model_admin = site.get_model_admin(model)
        if isinstance(model_admin, AuditedAdminMixin):
            continue
        audited = type(type(model_admin).__name__, (AuditedAdminMixin, type(model_admin)), {"audit_values": False})
        site.unregister(model)
        site.register(model, audited)
