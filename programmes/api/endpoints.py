"""The integration API's operations, built with django-ninja: typed schemas give the OpenAPI
description (``/api/schema/``) and its documentation page (``/api/docs/``, Swagger UI served from
our own static files) for nothing, and the package is small.

Every answer is JSON, errors included (``Error``: a ``detail`` and, for a refused batch, each
record's messages). A token (``Authorization: Bearer <token>``) decides the organisation: nothing
of another organisation is read or written.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, models
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import NinjaAPI, Query, Status, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer

from preceptorship import imports
from programmes.api import limits, services
from programmes.api.models import ApiToken
from programmes.api.schemas import (
    CompletionPage,
    EnrolmentPage,
    Error,
    ListParams,
    ProgressionOutcomePage,
    StaffBatchIn,
    StaffBatchOut,
)
from programmes.models import Enrolment
from progression.models import Decision, ProgressionCase

logger = logging.getLogger(__name__)
Scope = ApiToken.Scope
RETRY_AFTER_DATABASE = 60


class RateLimited(Exception):
    def __init__(self, wait: int) -> None:
        super().__init__(wait)
        self.wait = wait


class BadCursor(Exception):
    pass


class TokenAuth(HttpBearer):
    """The bearer token, checked for one scope, then counted against its rate limit."""

    def __init__(self, scope: str) -> None:
        super().__init__()
        self.scope = scope

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        found = services.token_check(token, scope=self.scope)
        wait = limits.wait_seconds(found.key)
        if wait is not None:
            raise RateLimited(wait)
        return found


class AccessibleSwagger(Swagger):
    """Swagger UI from django-ninja's own files, in a page of ours: a language, a title, and
    colours that meet WCAG contrast (static/api/swagger-contrast.css). Deep links are off: Swagger UI
    puts them inside each operation's button, and a link inside a button cannot be reached alone."""

    template = "api/swagger.html"


api = NinjaAPI(
    title="Preceptorship integration API",
    version="1",
    description=(
        "Staff records in from a staff record system (ESR, SAP, iTrent), and enrolments, completions "
        "and progression outcomes out, for the organisation a token belongs to. See docs/api.md."
    ),
    urls_namespace="api",
    openapi_url="/schema/",
    docs_url="/docs/",
    docs=AccessibleSwagger(settings={"validatorUrl": None, "persistAuthorization": False, "deepLinking": False}),
)
READ = TokenAuth(Scope.READ)
WRITE_STAFF = TokenAuth(Scope.WRITE_STAFF)
REFUSALS: dict[int, Any] = {400: Error, 401: Error, 403: Error, 413: Error, 422: Error, 429: Error}


# Errors, all as JSON.


def _error(request: HttpRequest, status: int, detail: str, errors: list[dict[str, Any]] | None = None) -> HttpResponse:
    return api.create_response(request, {"detail": detail, "errors": errors or []}, status=status)


@api.exception_handler(services.TokenRefused)
def _token_refused(request: HttpRequest, exc: services.TokenRefused) -> HttpResponse:
    response = _error(request, exc.status, exc.message)
    if exc.status == 401:
        response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(AuthenticationError)
def _no_token(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _error(request, 401, "Send a token in the Authorization header: “Authorization: Bearer <token>”.")
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(RateLimited)
def _rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    response = _error(request, 429, f"Too many requests with this token: try again in {exc.wait} seconds.")
    response["Retry-After"] = str(exc.wait)
    return response


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """The request's own shape is wrong: each problem by record (a batch) or by field."""
    by_place: dict[tuple[int | None, str], list[str]] = {}
    for problem in exc.errors:
        location = [part for part in problem.get("loc", ()) if part not in ("body", "query", "payload", "params")]
        record = None
        if len(location) >= 2 and location[0] == "records" and isinstance(location[1], int):
            record, location = location[1], location[2:]
        field = ".".join(str(part) for part in location)
        by_place.setdefault((record, field), []).append(str(problem.get("msg", "is not valid")))
    errors = [{"record": record, "field": field, "messages": messages}
              for (record, field), messages in by_place.items()]
    return _error(request, 422, "The request is not valid: nothing was changed.", errors)


@api.exception_handler(BadCursor)
def _bad_cursor(request: HttpRequest, exc: BadCursor) -> HttpResponse:
    return _error(request, 400, "The cursor is not one this API gave: follow the next link of a page.")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, str(exc))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "Not found.")


@api.exception_handler(SuspiciousOperation)
def _suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    if isinstance(exc, RequestDataTooBig):
        return _error(request, 413, "The request is too large: send the records in smaller batches.")
    return _error(request, 400, "The request cannot be read.")


@api.exception_handler(PermissionDenied)
def _refused(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, str(exc) or "This token cannot do that.")


@api.exception_handler(DatabaseError)
def _database_unavailable(request: HttpRequest, exc: DatabaseError) -> HttpResponse:
    logger.error("Database error on %s %s", request.method, request.path, exc_info=exc)
    response = _error(request, 503, "The service cannot reach its database: nothing was changed. Try again later.")
    response["Retry-After"] = str(RETRY_AFTER_DATABASE)
    return response


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
    return _error(request, 500, "Something went wrong: nothing was changed.")


# Staff records in.


def _row(record: Any) -> dict[str, str]:
    row = {name: value for name, value in record.model_dump().items() if isinstance(value, str)}
    for name in ("first_registered_on", "started_in_post_on"):
        value = getattr(record, name)
        row[name] = value.isoformat() if value else ""
    row["roles"] = ",".join(record.roles)
    return row


@api.post("/staff/", auth=WRITE_STAFF, response={200: StaffBatchOut, **REFUSALS},
          url_name="staff", operation_id="staff_send", summary="Send a batch of staff records", tags=["staff"])
def staff_send(request: HttpRequest, payload: StaffBatchIn) -> Any:
    """Creates or updates each person in the token's organisation, by employee number, under the
    staff import's rules (docs/staff-import.md). All or nothing: one wrong record refuses the batch
    (422, with every record's errors). Sending the same batch again changes nothing."""
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    records = payload.records
    try:
        plan = imports.staff_records_apply(
            actor=services.TokenActor(token), organisation=token.organisation,
            rows=[_row(record) for record in records], source=token.audit_name,
        )
    except DjangoValidationError as error:
        return Status(422, {"detail": "The batch is not valid: nothing was changed.",
                            "errors": [{"messages": error.messages}]})
    if not plan.valid:
        errors = []
        for problem in plan.errors:
            index = problem["row"] - 2  # the import numbers rows after a heading row
            errors.append({"record": index, "employee_number": records[index].employee_number,
                           "email": problem["email"], "messages": problem["messages"]})
        return Status(422, {"detail": f"{len(errors)} of {len(records)} records are not valid: nothing was changed.",
                            "errors": errors})
    return Status(200, {"records": plan.rows, "created": len(plan.creates), "updated": len(plan.updates),
                        "unchanged": plan.unchanged, "roles_added": len(plan.roles),
                        "teams_added": sorted({name for _, name in plan.teams})})


# Records out: each list is ordered by (updated_at, id), which a cursor continues from.


def _moment(value: datetime.datetime | None) -> datetime.datetime | None:
    if value is None:
        return None
    try:
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value.astimezone(datetime.UTC)
    except (OverflowError, ValueError):
        raise ValidationError([{"loc": ("query", "changed_since"),
                                "msg": "is out of range"}]) from None


def _cursor_of(obj: models.Model) -> str:
    text = f"{obj.updated_at.astimezone(datetime.UTC).isoformat()}|{obj.pk}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _after(cursor: str) -> Q:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, _, pk = text.partition("|")
        at = datetime.datetime.fromisoformat(moment)
        number = int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadCursor from None
    if timezone.is_naive(at):
        raise BadCursor
    return Q(updated_at__gt=at) | Q(updated_at=at, pk__gt=number)


def _page(request: HttpRequest, queryset: models.QuerySet, params: ListParams,
          row: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    since = _moment(params.changed_since)
    if since is not None:
        queryset = queryset.filter(updated_at__gte=since)
    if params.cursor:
        queryset = queryset.filter(_after(params.cursor))
    found = list(queryset.order_by("updated_at", "pk")[: params.limit + 1])
    rows, more = found[: params.limit], len(found) > params.limit
    following = None
    if more:
        query = {"limit": params.limit, "cursor": _cursor_of(rows[-1])}
        if params.changed_since is not None:
            query["changed_since"] = params.changed_since.isoformat()
        following = request.build_absolute_uri(f"{request.path}?{urlencode(query)}")
    return {"results": [row(obj) for obj in rows], "next": following}


def _person(user: Any) -> dict[str, str]:
    return {"employee_number": user.employee_number, "email": user.email}


def _enrolments(token: ApiToken) -> models.QuerySet:
    return Enrolment.objects.filter(organisation_id=token.organisation_id).select_related(
        "programme", "preceptee"
    ).only(
        "start_date", "transition", "status", "next_review_due", "completion_due", "completed_on", "withdrawn_on",
        "withdrawal_reason", "outcome", "pay_step_on", "updated_at", "programme__name",
        "preceptee__employee_number", "preceptee__email",
    )


@api.get("/enrolments/", auth=READ, response={200: EnrolmentPage, **REFUSALS},
         url_name="enrolments", operation_id="enrolment_list",
         summary="Enrolments of the organisation's staff", tags=["records"])
def enrolment_list(request: HttpRequest, params: Query[ListParams]) -> Any:
    """Every enrolment of the token's organisation (its staff on any programme), oldest change
    first. Withdrawal reasons are their codes; the free-text detail is never sent."""
    def row(enrolment: Enrolment) -> dict[str, Any]:
        return {
            "id": enrolment.pk, "programme": {"id": enrolment.programme_id, "name": enrolment.programme.name},
            "person": _person(enrolment.preceptee), "start_date": enrolment.start_date,
            "transition": enrolment.transition, "status": enrolment.status,
            "next_review_due": enrolment.next_review_due, "completion_due": enrolment.completion_due,
            "completed_on": enrolment.completed_on, "withdrawn_on": enrolment.withdrawn_on,
            "withdrawal_reason": enrolment.withdrawal_reason, "updated_at": enrolment.updated_at,
        }

    return _page(request, _enrolments(request.auth), params, row)  # type: ignore[attr-defined]


@api.get("/completions/", auth=READ, response={200: CompletionPage, **REFUSALS},
         url_name="completions", operation_id="completion_list",
         summary="Completed preceptorships, with outcome and pay step", tags=["records"])
def completion_list(request: HttpRequest, params: Query[ListParams]) -> Any:
    """Enrolments of the token's organisation that are completed, with the outcome the programme lead
    recorded and the date the pay step takes effect."""
    def row(enrolment: Enrolment) -> dict[str, Any]:
        return {
            "enrolment_id": enrolment.pk,
            "programme": {"id": enrolment.programme_id, "name": enrolment.programme.name},
            "person": _person(enrolment.preceptee), "start_date": enrolment.start_date,
            "completed_on": enrolment.completed_on, "outcome": enrolment.outcome,
            "pay_step_on": enrolment.pay_step_on, "updated_at": enrolment.updated_at,
        }

    completed = _enrolments(request.auth).filter(status=Enrolment.Status.COMPLETED)  # type: ignore[attr-defined]
    return _page(request, completed, params, row)


@api.get("/progression-outcomes/", auth=READ, response={200: ProgressionOutcomePage, **REFUSALS},
         url_name="progression-outcomes", operation_id="progression_outcome_list",
         summary="Progression cases: stage, decisions and dates", tags=["records"])
def progression_outcome_list(request: HttpRequest, params: Query[ListParams]) -> Any:
    """Progression cases of the token's organisation with their framework, stage, every decision
    (who decided in which role and when; never the comments) and the date the progression takes
    effect."""
    def row(case: ProgressionCase) -> dict[str, Any]:
        return {
            "case_id": case.pk, "person": _person(case.practitioner),
            "framework": {"slug": case.framework.slug, "name": case.framework.name, "version": case.framework.version},
            "target_role": case.target_role, "stage": case.stage, "stage_changed_at": case.stage_changed_at,
            "effective_date": case.effective_date, "hr_reference": case.hr_reference,
            "decisions": [{"decision": d.decision, "role": d.role, "at": d.at, "from_stage": d.from_stage,
                           "to_stage": d.to_stage} for d in case.decisions.all()],
            "updated_at": case.updated_at,
        }

    cases = ProgressionCase.objects.filter(organisation_id=request.auth.organisation_id).select_related(  # type: ignore[attr-defined]
        "practitioner", "framework"
    ).only(
        "target_role", "stage", "stage_changed_at", "effective_date", "hr_reference", "updated_at",
        "practitioner__employee_number", "practitioner__email", "framework__slug", "framework__name",
        "framework__version",
    ).prefetch_related(Prefetch("decisions", queryset=Decision.objects.only(
        "case_id", "decision", "role", "at", "from_stage", "to_stage").order_by("at", "pk")))
    return _page(request, cases, params, row)
