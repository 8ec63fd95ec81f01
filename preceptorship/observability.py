"""Logs and error reports that central log stores and Sentry can take, with no personal data.

- ``RequestLogMiddleware``: a request id for every request (the incoming ``X-Request-ID`` when it
  is a plain token, otherwise a new one), returned in the response's ``X-Request-ID`` header, on
  every log record made while the request runs, and one log line per request: method, path (never
  the query string, which can hold what someone searched for), status, duration and the user's id.
- Celery signals: one log line per task run: task name, id, state and duration, with the id of
  the request that queued it.
- ``JsonFormatter``: ``LOG_FORMAT=json`` writes each record as one JSON object on one line.
- ``scrub_event``: Sentry's ``before_send``; keeps the user's id and drops names, e-mail
  addresses, request bodies, cookies, query strings and local variables.

Nothing here logs a name or an e-mail address: ids only. See docs/observability.md.
"""

from __future__ import annotations

import contextvars
import datetime
import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.core.signals import request_finished
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

request_logger = logging.getLogger("preceptorship.requests")
task_logger = logging.getLogger("preceptorship.tasks")

REQUEST_ID_HEADER = "X-Request-ID"
# What a load balancer or proxy sends (a UUID, an AWS trace id, a hex string); anything else is
# replaced, so a log line never carries what a client chose to write there.
SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:=+-]{8,128}$")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")

current_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

# The fields a log line may carry besides its message; anything else passed in ``extra`` is dropped.
FIELDS = ("request_id", "user_id", "method", "path", "status", "duration_ms", "task", "task_id", "state")


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every record made while the request runs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = current_request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                line[field] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def request_id_for(request: HttpRequest) -> str:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    return incoming if SANE_REQUEST_ID.match(incoming) else uuid.uuid4().hex


class RequestLogMiddleware:
    """First in MIDDLEWARE, so its line covers everything the others do (redirects included)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        request_id = request_id_for(request)
        request.request_id = request_id
        # Kept until the response is closed (request_finished below), so that what Django logs
        # after the middleware ("Not Found: ...") carries the id too.
        current_request_id.set(request_id)
        _sentry_tag("request_id", request_id)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        request_logger.info(
            "%s %s %s", request.method, request.path, response.status_code,
            extra={
                "request_id": request_id,
                "user_id": _user_id(request),
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return response

    def process_view(self, request: HttpRequest, view_func: Callable, view_args: Any, view_kwargs: Any) -> None:
        # Pages that sign-in protects have already looked the person up; public ones (sign-in,
        # health checks) are not made to read the session or the user just for the log.
        request.log_user = getattr(view_func, "login_required", True)


@receiver(request_finished, dispatch_uid="preceptorship-request-id-done")
def _request_done(**kwargs: Any) -> None:
    current_request_id.set(None)


def _user_id(request: HttpRequest) -> int | None:
    if not getattr(request, "log_user", False):
        return None
    user = getattr(request, "user", None)
    return user.pk if user is not None and user.is_authenticated else None


def _sentry_tag(name: str, value: str) -> None:
    try:
        import sentry_sdk
    except ImportError:  # pragma: no cover - sentry-sdk is in requirements.txt
        return
    sentry_sdk.set_tag(name, value)


# Celery: one line per task run, carrying the id of the request that queued the task (sent in
# the message's headers). A task's start is kept by id until it ends (a worker process runs one
# task at a time, with prefetch 1, so this holds a handful of entries at most).

_task_started: dict[str, float] = {}


def task_published(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    request_id = current_request_id.get()
    if request_id and headers is not None:
        headers.setdefault("request_id", request_id)


def _on_a_worker(task: Any) -> bool:
    """Run by a worker, not eagerly inside the request (which has its own id set already)."""
    request = getattr(task, "request", None)
    return request is not None and not getattr(request, "is_eager", False)


def task_started(task_id: str | None = None, task: Any = None, **kwargs: Any) -> None:
    if task_id:
        _task_started[task_id] = time.perf_counter()
    if _on_a_worker(task):
        queued_by = getattr(task.request, "request_id", None)
        sane = isinstance(queued_by, str) and SANE_REQUEST_ID.match(queued_by)
        current_request_id.set(queued_by if sane else None)


def task_finished(task_id: str | None = None, task: Any = None, state: str | None = None, **kwargs: Any) -> None:
    started = _task_started.pop(task_id, None) if task_id else None
    task_logger.info(
        "task %s %s", getattr(task, "name", "?"), state,
        extra={
            "task": getattr(task, "name", None),
            "task_id": task_id,
            "state": state,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started is not None else None,
        },
    )
    if _on_a_worker(task):
        current_request_id.set(None)  # the worker's next task starts without it


def connect_task_logging() -> None:
    from celery.signals import before_task_publish, task_postrun, task_prerun

    before_task_publish.connect(task_published, weak=False, dispatch_uid="preceptorship-task-published")
    task_prerun.connect(task_started, weak=False, dispatch_uid="preceptorship-task-started")
    task_postrun.connect(task_finished, weak=False, dispatch_uid="preceptorship-task-finished")


# Sentry ----------------------------------------------------------------------------------------

_DROPPED_HEADERS = {"cookie", "authorization", "x-csrftoken", "referer"}


def _scrub_text(value: Any) -> Any:
    if isinstance(value, str):
        return EMAIL.sub("[e-mail]", value)
    if isinstance(value, list):
        return [_scrub_text(item) for item in value]
    if isinstance(value, dict):
        return {key: _scrub_text(item) for key, item in value.items()}
    return value


def scrub_event(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """Sentry ``before_send``: the user's id only; no request body, cookies, query string, local
    variables, or e-mail address anywhere in the text (a name can only come with one of those)."""
    user = event.get("user") or {}
    event["user"] = {"id": user["id"]} if "id" in user else {}
    request = event.get("request")
    if isinstance(request, dict):
        for part in ("data", "cookies", "query_string", "env"):
            request.pop(part, None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {k: v for k, v in headers.items() if k.lower() not in _DROPPED_HEADERS}
    for exception in (event.get("exception") or {}).get("values", []) or []:
        for frame in (exception.get("stacktrace") or {}).get("frames", []) or []:
            frame.pop("vars", None)
    for thread in (event.get("threads") or {}).get("values", []) or []:
        for frame in (thread.get("stacktrace") or {}).get("frames", []) or []:
            frame.pop("vars", None)
    event.pop("extra", None)
    return _scrub_text(event)


def init_sentry(dsn: str, *, environment: str | None, release: str | None) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment or None,
        release=release or None,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        before_send=scrub_event,
        before_send_transaction=scrub_event,
        traces_sample_rate=0,
    )
