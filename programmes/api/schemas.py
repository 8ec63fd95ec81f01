"""What the API reads and answers, as typed schemas (the OpenAPI description is built from them)."""

from __future__ import annotations

import datetime

from ninja import Field, Schema
from pydantic import field_validator


class ErrorItem(Schema):
    record: int | None = Field(None, description="The record's place in the batch, from 0.")
    field: str = ""
    employee_number: str = ""
    email: str = ""
    messages: list[str]


class Error(Schema):
    detail: str
    errors: list[ErrorItem] = []


class StaffRecordIn(Schema):
    """One person, with the staff import's columns (docs/staff-import.md)."""

    employee_number: str = Field(..., min_length=1, description="Matches the person on every later batch.")
    email: str = Field(..., description="Their sign-in; a changed address updates the person with this number.")
    first_name: str
    last_name: str
    team: str = Field("", description="Created in the organisation when new.")
    profession: str = Field("", description="A profession's name, for example Occupational therapy.")
    job_title: str = ""
    band: str = ""
    registration_number: str = ""
    first_registered_on: datetime.date | None = None
    started_in_post_on: datetime.date | None = None
    roles: list[str] = Field(
        [], description="Practitioner (the default), Mentor or Line manager, or the words programmes use for them.")

    @field_validator("employee_number", "email", "first_name", "last_name", "team", "profession", "job_title",
                     "band", "registration_number")
    @classmethod
    def _printable(cls, value: str) -> str:
        if "\x00" in value:
            raise ValueError("must not contain a null character")
        return value.strip()

    @field_validator("roles")
    @classmethod
    def _printable_roles(cls, value: list[str]) -> list[str]:
        if any("\x00" in role for role in value):
            raise ValueError("must not contain a null character")
        return value


class StaffBatchIn(Schema):
    records: list[StaffRecordIn] = Field(..., min_length=1, max_length=1000)


class StaffBatchOut(Schema):
    records: int
    created: int
    updated: int
    unchanged: int
    roles_added: int
    teams_added: list[str]


class Programme(Schema):
    id: int
    name: str


class Person(Schema):
    employee_number: str
    email: str


class EnrolmentOut(Schema):
    id: int
    programme: Programme
    person: Person
    start_date: datetime.date
    transition: str
    status: str
    next_review_due: datetime.date | None
    completion_due: datetime.date
    completed_on: datetime.date | None
    withdrawn_on: datetime.date | None
    withdrawal_reason: str
    updated_at: datetime.datetime


class CompletionOut(Schema):
    enrolment_id: int
    programme: Programme
    person: Person
    start_date: datetime.date
    completed_on: datetime.date | None
    outcome: str
    pay_step_on: datetime.date | None
    updated_at: datetime.datetime


class Framework(Schema):
    slug: str
    name: str
    version: int


class DecisionOut(Schema):
    decision: str
    role: str
    at: datetime.datetime
    from_stage: str
    to_stage: str


class ProgressionOutcomeOut(Schema):
    case_id: int
    person: Person
    framework: Framework
    target_role: str
    stage: str
    stage_changed_at: datetime.datetime
    effective_date: datetime.date | None
    hr_reference: str
    decisions: list[DecisionOut]
    updated_at: datetime.datetime


class EnrolmentPage(Schema):
    results: list[EnrolmentOut]
    next: str | None


class CompletionPage(Schema):
    results: list[CompletionOut]
    next: str | None


class ProgressionOutcomePage(Schema):
    results: list[ProgressionOutcomeOut]
    next: str | None


class ListParams(Schema):
    limit: int = Field(100, ge=1, le=500, description="Records on one page.")
    changed_since: datetime.datetime | None = Field(
        None, description="Only records changed at or after this moment (ISO 8601; without an offset, UK time).")
    cursor: str | None = Field(None, description="From a page's next link.")
