"""Template helpers of the crispy "nhsuk" pack (templates/nhsuk/)."""

from __future__ import annotations

from typing import Any

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django import template
from django.forms import BoundField, Form
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from preceptorship import forms_html

register = template.Library()


register.filter("select_options", forms_html.select_options)


@register.filter
def nhsuk_filter_fields(form: Form) -> SafeString:
    """The fields of a GET filter form: written in Python (``preceptorship.forms_html``) when the
    form has no errors, else through crispy with its error summary and messages."""
    html = forms_html.fields_html(form)
    return html if html is not None else as_crispy_form(form)


@register.filter
def revealed(field: BoundField, value: Any) -> list[BoundField]:
    """The fields shown only when ``value`` of the choice ``field`` is chosen (``preceptorship.forms.reveal``)."""
    names = getattr(field.field, "reveals", {}).get(str(value), ())
    return [field.form[name] for name in names if name in field.form.fields]


# A field's label, hint, error message and the attributes of its control, for the field templates
# (nhsuk/field/*.html), which render them for every field of every form. As templates they cost
# more than the rest of a field: each {{ field.label }} first tries the bound field as a list of
# subwidgets and fails. They read the template's ``field``, ``id`` (the field's base id, from
# field/dispatch.html), ``errors``, ``label_class``, ``hint_class`` and ``form_show_labels``.

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
                       field.label, "" if field.field.required or getattr(field.field, "needed_when_revealed", False)
                       else " (optional)")


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
    return mark_safe(forms_html.attrs_html(attrs, forms_html.NOT_COPIED))  # noqa: S308  # nosec - escaped


@register.simple_tag(takes_context=True)
def nhsuk_describedby(context: template.Context) -> str:
    field, errors, id_ = context["field"], context.get("errors"), context.get("id", "")
    ids = []
    if field.help_text:
        ids.append(f"{id_}-hint")
    if errors:
        ids.append(f"{id_}-error")
    return format_html(' aria-describedby="{}"', " ".join(ids)) if ids else ""
