"""The subject access export holds the person's own equality answers (nobody else's); erasure deletes them."""

from __future__ import annotations

import pytest

from preceptorship.models import Membership
from preceptorship.tests.factories import person
from programmes.equality import services
from programmes.equality.models import EqualityAnswers
from programmes.privacy import services as privacy
from programmes.privacy.services.exports import collect

pytestmark = pytest.mark.django_db
Role = Membership.Role


def test_the_export_holds_the_persons_own_answers_and_erasure_deletes_them(organisation):
    someone = person(organisation, Role.PRACTITIONER)
    colleague = person(organisation, Role.PRACTITIONER)
    services.equality_answers_save(actor=someone, person=someone, answers={"religion": "hindu"})
    services.equality_answers_save(actor=colleague, person=colleague, answers={"religion": "jewish"})
    [row] = next(s for s in collect(someone).sections if s.key == "equality_answers").rows
    assert row["religion"] == "hindu"
    dpo = person(organisation, Role.DATA_PROTECTION)
    goes, _ = privacy.erasure_preview(person=someone)
    assert any(line.what == "Their equality monitoring answers" and line.count == 1 for line in goes)
    privacy.person_erase(actor=dpo, person=someone)
    assert list(EqualityAnswers.objects.values_list("user_id", flat=True)) == [colleague.pk]
