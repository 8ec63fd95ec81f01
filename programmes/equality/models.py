"""A person's own equality monitoring answers: optional, changed or removed by them at any time,
read by nobody else (the figures count them in groups of five or more). Not in the Django admin."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from preceptorship.models import BaseModel
from programmes.equality.categories import BY_FIELD


def _answer(field: str) -> models.CharField:
    question = BY_FIELD[field]
    return models.CharField(question.title, max_length=40, blank=True, choices=question.answers)


class EqualityAnswers(BaseModel):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="equality_answers")
    ethnic_group = _answer("ethnic_group")
    disability = _answer("disability")
    sex = _answer("sex")
    gender_identity = _answer("gender_identity")
    sexual_orientation = _answer("sexual_orientation")
    religion = _answer("religion")
    age_band = _answer("age_band")
    carer = _answer("carer")

    class Meta:
        verbose_name_plural = "equality monitoring answers"

    def __str__(self) -> str:
        # Never the answers: this text goes into the audit log.
        return f"Equality monitoring answers of person {self.user_id}"
