"""The fields of a GET filter form in the NHS.UK markup of the crispy "nhsuk" pack (templates/nhsuk/),
written in Python.

The filter forms sit on every list page and dashboard; drawn through the pack's templates (one
template and its includes per field) they cost as much as the rest of the page. This writes the
same markup for the widgets filter forms use: select, text input, checkbox, hidden input and the
NHS.UK date input. A form with errors, or with any other widget, goes through crispy (its error
summary and error messages are written there only); ``preceptorship/tests/test_forms_html.py``
holds both renderings of every filter form equal.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.forms import BoundField
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from preceptorship.widgets import DateInput

# Written by the pack's templates themselves, or left out as in NHS.UK markup (forms are novalidate
# and errors are linked by aria-describedby).
NOT_COPIED = frozenset({"class", "id", "checked", "aria-describedby", "required", "aria-invalid"})


def attrs_html(attrs: dict[str, Any], skip: Iterable[str] = ()) -> str:
    """HTML attributes, each with a space before it and its value escaped: a True value is written
    bare, False and None are left out."""
    out = []
    for name, value in attrs.items():
        if value is False or value is None or name in skip:
            continue
        out.append(f" {conditional_escape(name)}" if value is True
                   else f' {conditional_escape(name)}="{conditional_escape(value)}"')
    return "".join(out)


def select_options(field: BoundField) -> SafeString:
    """A select's options (in their groups, if any), as ``widget.optgroups`` and the pack's option
    template write them: written from the choices directly, without a dict of attributes per option
    (an option of a select inherits none of the widget's), unless the widget's options do."""
    widget = field.field.widget
    if widget.option_inherits_attrs:
        return _options_of_optgroups(field)
    value = widget.format_value(field.value())
    multiple = widget.allow_multiple_selected
    has_selected = False
    parts = []
    for option_value, option_label in widget.choices:
        if option_value is None:
            option_value = ""
        if isinstance(option_label, (list, tuple)):
            group, choices = option_value, option_label
        else:
            group, choices = None, ((option_value, option_label),)
        if group:
            parts.append(f'\n    <optgroup label="{conditional_escape(group)}">')
        for choice_value, choice_label in choices:
            selected = (not has_selected or multiple) and str(choice_value) in value
            has_selected |= selected
            parts.append(f'\n    <option value="{conditional_escape(choice_value)}"{" selected" if selected else ""}>'
                         f'{conditional_escape(choice_label)}</option>')
        if group:
            parts.append("\n    </optgroup>")
    return mark_safe("".join(parts))  # noqa: S308  # nosec - every value and label is escaped


def _options_of_optgroups(field: BoundField) -> SafeString:
    widget = field.field.widget
    id_ = widget.attrs.get("id") or field.auto_id
    attrs = field.build_widget_attrs({"id": id_} if id_ else {})
    parts = []
    for group_name, options, _index in widget.optgroups(field.html_name, widget.format_value(field.value()), attrs):
        if group_name:
            parts.append(f'\n    <optgroup label="{conditional_escape(group_name)}">')
        parts.extend(f'\n    <option value="{conditional_escape(option["value"])}"{attrs_html(option["attrs"])}>'
                     f'{conditional_escape(option["label"])}</option>' for option in options)
        if group_name:
            parts.append("\n    </optgroup>")
    return mark_safe("".join(parts))  # noqa: S308  # nosec - every value and label is escaped


def _base_id(field: BoundField) -> str:
    return field.field.widget.attrs.get("id") or field.auto_id or ""


def _label_text(field: BoundField) -> str:
    return f"{conditional_escape(field.label)}{'' if field.field.required else ' (optional)'}"


def _label(field: BoundField) -> str:
    if not field.label:
        return ""
    for_id = field.id_for_label
    for_attr = f' for="{conditional_escape(for_id)}"' if for_id else ""
    return f'<label class="nhsuk-label"{for_attr}>{_label_text(field)}</label>\n'


def _hint(field: BoundField, id_: str, hint_class: str = "") -> str:
    if not field.help_text:
        return ""
    extra = f" {hint_class}" if hint_class else ""
    text = conditional_escape(field.help_text)
    return f'<div class="nhsuk-hint{extra}" id="{conditional_escape(id_)}-hint">{text}</div>\n'


def _described_by(field: BoundField, id_: str) -> str:
    return f' aria-describedby="{conditional_escape(id_)}-hint"' if field.help_text else ""


def _id_attr(id_: str) -> str:
    return f' id="{conditional_escape(id_)}"' if id_ else ""


def _widget_context(field: BoundField, id_: str) -> dict[str, Any]:
    """What ``field.subwidgets.0.data`` gives the pack's templates."""
    attrs = field.build_widget_attrs({"id": id_} if id_ else {})
    return field.field.widget.get_context(field.html_name, field.value(), attrs)["widget"]


def _value_attr(value: Any) -> str:
    return "" if value is None else f' value="{conditional_escape(value)}"'


def _select(field: BoundField) -> str:
    id_ = _base_id(field)
    widget = field.field.widget
    extra_class = f" {conditional_escape(widget.attrs['class'])}" if widget.attrs.get("class") else ""
    return (
        f'<div class="nhsuk-form-group">\n{_label(field)}{_hint(field, id_)}'
        f'<select class="nhsuk-select{extra_class}"{_id_attr(id_)} name="{conditional_escape(field.html_name)}"'
        f'{" multiple" if widget.allow_multiple_selected else ""}{" disabled" if field.field.disabled else ""}'
        f'{attrs_html(widget.attrs, NOT_COPIED)}{_described_by(field, id_)}>'
        f'{select_options(field)}\n</select>\n</div>\n'
    )


def _input(field: BoundField) -> str:
    id_ = _base_id(field)
    widget = _widget_context(field, id_)
    attrs = widget["attrs"]
    extra_class = f" {conditional_escape(attrs['class'])}" if attrs.get("class") else ""
    return (
        f'<div class="nhsuk-form-group">\n{_label(field)}{_hint(field, id_)}'
        f'<input class="nhsuk-input{extra_class}"{_id_attr(id_)} name="{conditional_escape(widget["name"])}" '
        f'type="{conditional_escape(widget["type"])}"{_value_attr(widget["value"])}{attrs_html(attrs, NOT_COPIED)}'
        f'{_described_by(field, id_)}>\n</div>\n'
    )


def _checkbox(field: BoundField) -> str:
    id_ = _base_id(field)
    widget = _widget_context(field, id_)
    attrs = widget["attrs"]
    for_attr = f' for="{conditional_escape(id_)}"' if id_ else ""
    return (
        '<div class="nhsuk-form-group">\n<div class="nhsuk-checkboxes" data-module="nhsuk-checkboxes">\n'
        f'<div class="nhsuk-checkboxes__item">\n<input class="nhsuk-checkboxes__input"{_id_attr(id_)} '
        f'name="{conditional_escape(widget["name"])}" type="checkbox"{_value_attr(widget["value"])}'
        f'{" checked" if attrs.get("checked") else ""}{attrs_html(attrs, NOT_COPIED)}{_described_by(field, id_)}>\n'
        f'<label class="nhsuk-label nhsuk-checkboxes__label"{for_attr}>{conditional_escape(field.label)}</label>\n'
        f'{_hint(field, id_, "nhsuk-checkboxes__hint")}</div>\n</div>\n</div>\n'
    )


def _date(field: BoundField) -> str:
    id_ = _base_id(field)
    attrs = field.build_widget_attrs({})
    if field.auto_id and "id" not in field.field.widget.attrs:
        attrs.setdefault("id", field.auto_id)
    widget = field.field.widget.get_context(field.html_name, field.value(), attrs)["widget"]
    boxes = []
    for box in widget["subwidgets"]:
        box_id = box["attrs"].get("id")
        for_attr = f' for="{conditional_escape(box_id)}"' if box_id else ""
        boxes.append(
            '<div class="nhsuk-date-input__item">\n<div class="nhsuk-form-group">\n'
            f'<label class="nhsuk-label nhsuk-date-input__label"{for_attr}>{conditional_escape(box["label"])}</label>\n'
            f'<input type="{conditional_escape(box["type"])}" name="{conditional_escape(box["name"])}"'
            f'{_value_attr(box["value"])}{attrs_html(box["attrs"])}>\n</div>\n</div>\n'
        )
    legend = (f'<legend class="nhsuk-fieldset__legend">{_label_text(field)}</legend>\n' if field.label else "")
    return (
        f'<div class="nhsuk-form-group">\n<fieldset class="nhsuk-fieldset" role="group"{_described_by(field, id_)}>\n'
        f'{legend}{_hint(field, id_)}<div class="nhsuk-date-input"{_id_attr(widget["attrs"].get("id", ""))}>\n'
        f'{"".join(boxes)}</div>\n</fieldset>\n</div>\n'
    )


def _field_html(field: BoundField) -> str | None:
    """One field as the pack writes it (field.html, then field/dispatch.html), or None for a widget
    written only by the pack."""
    if field.is_hidden:
        return str(field)
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        return _checkbox(field)
    if isinstance(widget, forms.RadioSelect):  # radios and checkbox lists
        return None
    if isinstance(widget, forms.Select):
        return _select(field)
    if isinstance(widget, forms.FileInput):
        return None
    if isinstance(widget, forms.MultiWidget):
        return _date(field) if isinstance(widget, DateInput) else None
    if isinstance(widget, forms.widgets.Input):
        return _input(field)
    return None


def fields_html(form: forms.Form) -> SafeString | None:
    """Every field of a form without errors in the pack's markup, or None when the form has errors
    or a widget this does not write (draw it through crispy then)."""
    if form.is_bound and form.errors:
        return None
    out = []
    for field in form:
        html = _field_html(field)
        if html is None:
            return None
        out.append(html)
    return mark_safe("".join(out))  # noqa: S308  # nosec - every value, label and hint is escaped
