"""The shared choice of several records (``RecordsField``) and ``record_ids``: an id no database
column can hold is an unknown choice, with the field's own message; an id chosen by slug is left
to the ordinary check."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from preceptorship.forms import LARGEST_ID, RecordsField, record_ids
from preceptorship.models import Profession
from preceptorship.tests.hostile import ODD_IDS

pytestmark = pytest.mark.django_db


@pytest.fixture
def nursing() -> Profession:
    return Profession.objects.get_or_create(slug="nursing-test", defaults={"name": "Nursing (test)"})[0]


@pytest.mark.parametrize("odd_id", [odd for odd in ODD_IDS if "\x00" not in odd])  # a NUL: Django's own message
def test_an_odd_id_is_an_unknown_choice_with_the_fields_message(nursing: Profession, odd_id: str) -> None:
    field = RecordsField(queryset=Profession.objects.all(),
                         error_messages={"invalid_choice": "Choose professions from the list",
                                         "invalid_pk_value": "Choose professions from the list"})
    with pytest.raises(ValidationError) as refused:
        field.clean([str(nursing.pk), odd_id])
    assert refused.value.messages == ["Choose professions from the list"]
    assert list(field.clean([str(nursing.pk)])) == [nursing]


def test_chosen_by_slug_any_text_is_just_unknown(nursing: Profession) -> None:
    field = RecordsField(queryset=Profession.objects.all(), to_field_name="slug")
    assert list(field.clean(["nursing-test"])) == [nursing]
    with pytest.raises(ValidationError, match="99999999999999999999 is not one of"):
        field.clean(["99999999999999999999"])


@pytest.mark.parametrize(("values", "ids"), [
    (["1", "22", str(LARGEST_ID)], [1, 22, LARGEST_ID]),
    ([*ODD_IDS, "-1", "", None, "abc", str(LARGEST_ID + 1)], []),
])
def test_record_ids_keeps_only_ids_a_column_holds(values: list[Any], ids: list[int]) -> None:
    assert record_ids(values) == ids
