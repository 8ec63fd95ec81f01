"""Template helpers of the crispy "nhsuk" pack (templates/nhsuk/)."""

from __future__ import annotations

from django import template
from django.forms import BoundField
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

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
            parts.append(mark_safe("\n    </optgroup>"))
    return format_html_join("", "{}", ((part,) for part in parts))
