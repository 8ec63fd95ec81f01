"""Template helpers of the crispy "nhsuk" pack (templates/nhsuk/)."""

from __future__ import annotations

from django import template
from django.forms import BoundField
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()


def _option_attrs(attrs: dict) -> SafeString:
    return format_html_join("", "{}", (
        (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
        for name, value in attrs.items() if value is not False and value is not None
    ))


@register.filter
def select_options(field: BoundField) -> SafeString:
    """A select's options (in their groups, if any), rendered in Python: the template loop over each
    option and its attributes cost more than the rest of a list page's filter form."""
    widget = field.field.widget
    id_ = widget.attrs.get("id") or field.auto_id
    attrs = field.build_widget_attrs({"id": id_} if id_ else {})
    parts = []
    for group_name, options, _index in widget.optgroups(field.html_name, widget.format_value(field.value()), attrs):
        if group_name:
            parts.append(format_html('\n    <optgroup label="{}">', group_name))
        parts.extend(format_html('\n    <option value="{}"{}>{}</option>', option["value"],
                                 _option_attrs(option["attrs"]), option["label"]) for option in options)
        if group_name:
            parts.append(SafeString("\n    </optgroup>"))
    return format_html_join("", "{}", ((part,) for part in parts))


# A field's label, hint, error message and the attributes of its control, for the field templates
# (nhsuk/field/*.html), which render them for every field of every form. As templates they cost
# more than the rest of a field: each {{ field.label }} first tries the bound field as a list of
# subwidgets and fails. They read the template's ``field``, ``id`` (the field's base id, from
# field/dispatch.html), ``errors``, ``label_class``, ``hint_class`` and ``form_show_labels``.

# Written by the templates themselves, or left out as in NHS.UK markup (forms are novalidate and
# errors are linked by aria-describedby).
NOT_COPIED = {"class", "id", "checked", "aria-describedby", "required", "aria-invalid"}


@register.simple_tag(takes_context=True)
def nhsuk_label(context: template.Context) -> str:
    field = context["field"]
    if not field.label:
        return ""
    label_class = context.get("label_class")
    classes = format_html("nhsuk-label{}{}", format_html(" {}", label_class) if label_class else "",
                          " nhsuk-u-visually-hidden" if context.get("form_show_labels") is False else "")
    for_id = field.id_for_label
    return format_html('<label class="{}"{}>{}{}</label>', classes, format_html(' for="{}"', for_id) if for_id else "",
                       field.label, "" if field.field.required else " (optional)")


@register.simple_tag(takes_context=True)
def nhsuk_hint(context: template.Context, hint_class: str = "") -> str:
    field = context["field"]
    if not field.help_text:
        return ""
    hint_class = hint_class or context.get("hint_class")
    return format_html('<div class="nhsuk-hint{}" id="{}-hint">{}</div>',
                       format_html(" {}", hint_class) if hint_class else "", context.get("id", ""), field.help_text)


@register.simple_tag(takes_context=True)
def nhsuk_error(context: template.Context) -> str:
    errors = context.get("errors")
    if not errors:
        return ""
    return format_html('<span class="nhsuk-error-message" id="{}-error"><span class="nhsuk-u-visually-hidden">'
                       "Error: </span>{}</span>", context.get("id", ""),
                       format_html_join(SafeString("<br>"), "{}", ((error,) for error in errors)))


@register.simple_tag
def nhsuk_attrs(attrs: dict) -> str:
    """The widget's other attributes, each with a space before it."""
    return _option_attrs({name: value for name, value in attrs.items() if name not in NOT_COPIED})


@register.simple_tag(takes_context=True)
def nhsuk_describedby(context: template.Context) -> str:
    field, errors, id_ = context["field"], context.get("errors"), context.get("id", "")
    ids = []
    if field.help_text:
        ids.append(f"{id_}-hint")
    if errors:
        ids.append(f"{id_}-error")
    return format_html(' aria-describedby="{}"', " ".join(ids)) if ids else ""
