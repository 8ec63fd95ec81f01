"""The access matrix: every URL of the URL configuration, for every role, for an object of the
viewer's own organisation and of another organisation, gives the expected answer; never a 500,
and never another organisation's data.

HOW AN APP ADDS ITS URLS
========================
Create ``<app>/tests/access_expectations.py`` (``programmes`` and ``progression`` are loaded; add a
name to APP_MODULES below for another app). It exports two dicts and, optionally, CANARIES::

    EXPECTATIONS = {
        # URL name (with namespace) -> HTTP method -> who -> expected status.
        "programmes:caseload": {
            "GET": {"anonymous": 302, "mentor": 200, "line_manager": 200, "*": 403},
        },
        # A URL with arguments is requested twice per role: for an object of the viewer's own
        # organisation ("own") and of the other organisation ("other"). Keys are looked up in
        # this order: "own:mentor", "mentor", "own:*", "*".
        "programmes:enrolment-detail": {
            "GET": {"anonymous": 302, "own:mentor": 200, "own:line_manager": 200,
                    "own:programme_lead": 200, "own:practitioner": 200, "own:head_of_service": 200,
                    "own:*": 404, "other:*": 404},
            "POST": {"anonymous": 302, "*": 405},
        },
    }

    def _enrolment(world, viewer, target):
        # world.organisation / world.other_organisation, world.team / world.other_team,
        # world.users[role] / world.other_users[role] (one person per role in each organisation;
        # roles are the values of Membership.Role, e.g. "mentor"); viewer is the requesting user,
        # or None for anonymous. Return the URL kwargs, or (kwargs, secret): a text identifying the
        # object that must never appear in an answer about the OTHER organisation's object.
        users = world.users if target == "own" else world.other_users
        enrolment = EnrolmentFactory(preceptee=users["practitioner"], mentor=users["mentor"],
                                     line_manager=users["line_manager"])
        return {"pk": enrolment.pk}, enrolment.preceptee.email

    BUILDERS = {"programmes:enrolment-detail": _enrolment}

    # Optional: texts (created in the other organisation) that no non-administrator in the own
    # organisation may ever see on ANY page.
    def CANARIES(world):
        return [ReflectionFactory(author=world.other_users["practitioner"], title="canary").title]

Roles: anonymous, practitioner, mentor, line_manager, head_of_service, operational_director, hr,
programme_lead, ics_lead, administrator (a superuser, also holding the administrator role in the
own organisation). "*" is the default for anyone not named. Requests have no body (POSTs here
check access only; forms have their own tests). Anonymous redirects must go to the sign-in page.

A URL with no expectation fails ``test_every_url_has_an_expectation`` with its name and where to
add it (names in a namespace listed in ALLOW_MISSING_NAMESPACES would only warn; it is empty).
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from preceptorship.models import Membership, Notification, User
from preceptorship.tests.factories import NotificationFactory, OrganisationFactory, TeamFactory, person

Role = Membership.Role

# Namespaces whose URLs may still lack an expectation (they only warn). Empty: every app has
# written its access_expectations module, so any new URL without one fails.
ALLOW_MISSING_NAMESPACES: set[str] = set()
APP_MODULES = [
    "programmes.tests.access_expectations",
    "programmes.tests.access_expectations_practice",
    "programmes.tests.access_expectations_reports",
    "programmes.tests.access_expectations_offer",
    "progression.tests.access_expectations",
    "progression.tests.access_expectations_letters",
    "progression.tests.access_expectations_self_assessment",
    "progression.tests.access_expectations_passports",
    "progression.supervision.tests.access_expectations",
    "programmes.privacy.tests.access_expectations",
    "programmes.equality.tests.access_expectations",
    "programmes.preceptors.tests.access_expectations",
    "preceptorship.tests.access_expectations_imports",
    "programmes.api.tests.access_expectations",
    "preceptorship.tests.access_expectations_two_step",
    "preceptorship.tests.access_expectations_audit",
    "preceptorship.identity.tests.access_expectations",
]
SKIPPED_NAMESPACES = {"admin"}  # Django's own admin: staff-only, checked by Django's tests.
ROLES = ["anonymous", *(role.value for role in Role)]
TARGETS_WITH_OBJECT = ("own", "other")
NO_OBJECT = ("none",)

Expectation = Mapping[str, Mapping[str, int]]
Builder = Callable[..., Any]


@dataclass
class World:
    organisation: Any
    other_organisation: Any
    team: Any
    other_team: Any
    users: dict[str, User] = field(default_factory=dict)
    other_users: dict[str, User] = field(default_factory=dict)
    canaries: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Route:
    name: str
    route: str
    arguments: tuple[str, ...]
    namespace: str


# The core's URLs.

EXPECTATIONS: dict[str, dict[str, dict[str, int]]] = {
    "home": {"GET": {"anonymous": 302, "*": 200}},
    "healthz": {"GET": {"*": 200}, "POST": {"*": 405}},
    "livez": {"GET": {"*": 200}, "POST": {"*": 405}},
    "readyz": {"GET": {"*": 200}, "POST": {"*": 405}},
    "login": {"GET": {"anonymous": 200, "*": 302}, "POST": {"anonymous": 200, "*": 302}},
    "logout": {"GET": {"anonymous": 302, "*": 405}, "POST": {"*": 302}},
    "password_reset": {"GET": {"*": 200}, "POST": {"*": 200}},
    "password_reset_done": {"GET": {"*": 200}},
    "password_reset_confirm": {"GET": {"*": 200}},
    "password_reset_complete": {"GET": {"*": 200}},
    "password_change": {"GET": {"anonymous": 302, "*": 200}, "POST": {"anonymous": 302, "*": 200}},
    "password_change_done": {"GET": {"anonymous": 302, "*": 200}},
    "profile": {"GET": {"anonymous": 302, "*": 200}, "POST": {"anonymous": 302, "*": 200}},
    "notifications": {"GET": {"anonymous": 302, "*": 200}},
    "notification-open": {
        "GET": {"anonymous": 302, "*": 405},
        "POST": {"anonymous": 302, "own:*": 302, "other:*": 404},
    },
    "notifications-read-all": {"GET": {"anonymous": 302, "*": 405}, "POST": {"anonymous": 302, "*": 302}},
}


def _notification(world: World, viewer: User | None, target: str) -> tuple[dict[str, int], str]:
    """Own: the viewer's own notification. Other: one addressed to someone in the other organisation."""
    recipient = viewer if target == "own" and viewer else world.users["practitioner"]
    if target == "other":
        recipient = world.other_users["practitioner"]
    secret = f"Private notice for {recipient.email}"
    notification = NotificationFactory(recipient=recipient, subject=secret)
    return {"pk": notification.pk}, secret


def _reset_link(world: World, viewer: User | None, target: str) -> dict[str, str]:
    return {"uidb64": "MTIzNDU", "token": "not-a-real-token"}


BUILDERS: dict[str, Builder] = {
    "notification-open": _notification,
    "password_reset_confirm": _reset_link,
}


def _core_canaries(world: World) -> list[str]:
    outsider = world.other_users["practitioner"]
    notification = NotificationFactory(recipient=outsider, subject=f"Canary notice for {outsider.email}")
    return [notification.subject, outsider.email]


CANARY_SOURCES: list[Callable[[World], list[str]]] = [_core_canaries]


def _load_app_expectations() -> list[str]:
    """Merge each app's access_expectations.py into the tables; returns the modules found."""
    found = []
    for module_name in APP_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name is not None and module_name.startswith(error.name):
                continue
            raise
        found.append(module_name)
        for table, extra in ((EXPECTATIONS, module.EXPECTATIONS), (BUILDERS, getattr(module, "BUILDERS", {}))):
            clash = set(table) & set(extra)
            assert not clash, f"{module_name} redefines {sorted(clash)}"
            table.update(extra)
        if hasattr(module, "CANARIES"):
            CANARY_SOURCES.append(module.CANARIES)
    return found


APP_EXPECTATION_MODULES = _load_app_expectations()


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "", route: str = "") -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace or ""
            if inner in SKIPPED_NAMESPACES:
                continue
            yield from _walk(
                entry.url_patterns,
                prefix=f"{prefix}{inner}:" if inner else prefix,
                namespace=namespace or inner,
                route=route + str(entry.pattern),
            )
        elif isinstance(entry, URLPattern):
            if getattr(entry.callback, "__name__", "") == "serve":  # static or media files in DEBUG
                continue
            full_route = route + str(entry.pattern)
            pattern = entry.pattern
            arguments = tuple(getattr(pattern, "converters", {}) or pattern.regex.groupindex)
            name = f"{prefix}{entry.name}" if entry.name else f"<unnamed: {full_route}>"
            yield Route(name=name, route=full_route, arguments=arguments, namespace=namespace)


ROUTES = {route.name: route for route in _walk(get_resolver().url_patterns)}


def _expected(expectation: Mapping[str, int], role: str, target: str) -> int | None:
    for key in (f"{target}:{role}", role, f"{target}:*", "*"):
        if key in expectation:
            return expectation[key]
    return None


def _missing() -> tuple[list[str], list[str]]:
    """(names that must have an expectation, names only warned about) missing from the tables."""
    required, tolerated = [], []
    for route in ROUTES.values():
        if route.name in EXPECTATIONS and (not route.arguments or route.name in BUILDERS):
            continue
        (tolerated if route.namespace in ALLOW_MISSING_NAMESPACES else required).append(route.name)
    return sorted(required), sorted(tolerated)


def _how_to_add(names: list[str]) -> str:
    lines = []
    for name in names:
        route = ROUTES[name]
        app = route.namespace or "preceptorship"
        where = (
            f"{app}/tests/access_expectations.py (see the docstring of preceptorship/tests/test_access_matrix.py)"
            if route.namespace
            else "EXPECTATIONS in preceptorship/tests/test_access_matrix.py"
        )
        need = f" and BUILDERS[{name!r}] returning its kwargs {list(route.arguments)}" if route.arguments else ""
        lines.append(f"  {name}  (/{route.route}): add EXPECTATIONS[{name!r}]{need} to {where}")
    return "\n".join(lines)


def test_every_url_has_an_expectation() -> None:
    required, tolerated = _missing()
    if tolerated:
        message = (
            f"{len(tolerated)} URL(s) have no access expectation yet (tolerated while their namespace is in "
            f"ALLOW_MISSING_NAMESPACES):\n{_how_to_add(tolerated)}"
        )
        print(message)  # noqa: T201 - shown with -s and in the captured output of failures
        warnings.warn(message, stacklevel=1)
    assert not required, f"These URLs have no access expectation:\n{_how_to_add(required)}"


def test_no_expectation_names_a_url_that_does_not_exist() -> None:
    stale = sorted(set(EXPECTATIONS) - set(ROUTES))
    assert not stale, f"EXPECTATIONS name URLs the URL configuration no longer has: {stale}"
    stale_builders = sorted(set(BUILDERS) - set(ROUTES))
    assert not stale_builders, f"BUILDERS name URLs the URL configuration no longer has: {stale_builders}"


def test_the_matrix_sees_the_core_urls() -> None:
    """Guards the URL walk itself: if it found nothing, every other test here would pass vacuously."""
    assert {"home", "profile", "notifications", "notification-open", "login"} <= set(ROUTES)
    assert ROUTES["notification-open"].arguments == ("pk",)
    assert not any(name.startswith("admin:") for name in ROUTES)


@pytest.fixture
def world(db: Any, settings: Any) -> World:
    return build_world(settings)


def build_world(settings: Any) -> World:
    """Two organisations of one ICS, one person per role in each, and every app's canaries."""
    settings.REDIS_URL = ""  # /healthz must answer about the database alone here
    organisation = OrganisationFactory(name="Home Council")
    other = OrganisationFactory(name="Neighbouring Trust", ics=organisation.ics)
    built = World(
        organisation=organisation,
        other_organisation=other,
        team=TeamFactory(organisation=organisation, name="Home Team"),
        other_team=TeamFactory(organisation=other, name="Neighbouring Team"),
    )
    for role in Role:
        for org, team, users, place in (
            (organisation, built.team, built.users, "home"),
            (other, built.other_team, built.other_users, "other"),
        ):
            user = person(org, role, team=team, email=f"{role.value.replace('_', '.')}@{place}.example")
            if role == Role.ADMINISTRATOR:
                user.is_staff = user.is_superuser = True
                user.save(update_fields=["is_staff", "is_superuser"])
            users[role.value] = user
    for source in CANARY_SOURCES:
        built.canaries.extend(source(built))
    return built


def _client_for(world: World, role: str) -> Client:
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        client.force_login(world.users[role])
    return client


def _build(world: World, route: Route, viewer: User | None, target: str) -> tuple[dict[str, Any], str | None]:
    if not route.arguments:
        return {}, None
    made = BUILDERS[route.name](world, viewer, target)
    return made if isinstance(made, tuple) else (made, None)


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_url_answers_as_expected_for_every_role(name: str, world: World) -> None:
    route = ROUTES[name]
    if name not in EXPECTATIONS or (route.arguments and name not in BUILDERS):
        pytest.skip(f"{name} has no expectation yet: test_every_url_has_an_expectation reports it")
    problems: list[str] = []
    login_url = reverse("login")
    for method, expectation in EXPECTATIONS[name].items():
        for role in ROLES:
            client = _client_for(world, role)
            viewer = world.users.get(role)
            for target in TARGETS_WITH_OBJECT if route.arguments else NO_OBJECT:
                expected = _expected(expectation, role, target)
                if expected is None:
                    problems.append(f"{method} as {role} ({target}): no expectation and no '*' default")
                    continue
                kwargs, secret = _build(world, route, viewer, target)
                response = getattr(client, method.lower())(reverse(name, kwargs=kwargs))
                where = f"{method} {reverse(name, kwargs=kwargs)} as {role} ({target} object)"
                body = response.content.decode(errors="replace") if not getattr(response, "streaming", False) else ""
                if response.status_code >= HTTPStatus.INTERNAL_SERVER_ERROR:
                    problems.append(f"{where}: SERVER ERROR {response.status_code}")
                elif response.status_code != expected:
                    problems.append(f"{where}: got {response.status_code}, expected {expected}")
                if role == "anonymous" and response.status_code == HTTPStatus.FOUND:
                    if not response["Location"].startswith(login_url):
                        problems.append(f"{where}: redirects to {response['Location']}, not to sign in")
                if target == "other" and secret and secret in body:
                    problems.append(f"{where}: shows the other organisation's {secret!r}")
                if role != Role.ADMINISTRATOR:
                    leaked = [canary for canary in world.canaries if canary in body]
                    if leaked:
                        problems.append(f"{where}: shows the other organisation's {leaked}")
    assert not problems, f"{name} (/{route.route}):\n  " + "\n  ".join(problems)


def test_the_matrix_can_fail(world: World) -> None:
    """A wrong expectation is reported (so a passing matrix means something)."""
    saved = EXPECTATIONS["profile"]
    EXPECTATIONS["profile"] = {"GET": {"anonymous": 302, "*": 404}}
    try:
        with pytest.raises(AssertionError, match="got 200, expected 404"):
            test_url_answers_as_expected_for_every_role("profile", world)
    finally:
        EXPECTATIONS["profile"] = saved


def test_notifications_of_others_are_never_shown(world: World) -> None:
    """The canary check itself: someone else's notification is not on my list, my own is."""
    mine = NotificationFactory(recipient=world.users["mentor"], subject="Mine to read")
    response = _client_for(world, "mentor").get(reverse("notifications"))
    assert mine.subject in response.content.decode()
    assert not [c for c in world.canaries if c in response.content.decode()]
    assert Notification.objects.filter(recipient=world.other_users["practitioner"]).exists()


# People who hold several roles, and roles given through the staff import: each gets exactly the
# access of the union of their roles, no more. The person takes the place of one person per role
# in the world, so every builder gives them the objects it gives that role (the enrolment they
# mentor and line manage, the programme they lead ...).

COMBINATIONS: dict[str, tuple[str, ...]] = {
    "mentor+line_manager": (Role.MENTOR, Role.LINE_MANAGER),
    "programme_lead+mentor": (Role.PROGRAMME_LEAD, Role.MENTOR),
    "imported mentor+line_manager": (Role.MENTOR, Role.LINE_MANAGER),
}


def _union(expectation: Mapping[str, int], roles: tuple[str, ...], target: str) -> set[int]:
    """The answers the union of the roles allows: any a role is let in with, else "may read but not
    act" (403) if one role has it, else what every role gets."""
    answers = {_expected(expectation, role, target) for role in roles}
    assert None not in answers, f"no expectation for one of {roles}"
    let_in = {answer for answer in answers if answer < HTTPStatus.BAD_REQUEST}
    if let_in:
        return let_in
    return {int(HTTPStatus.FORBIDDEN)} if HTTPStatus.FORBIDDEN in answers else answers


def _holder_of(world: World, combination: str) -> User:
    roles = COMBINATIONS[combination]
    if combination.startswith("imported"):
        return _imported(world, roles)
    holder = world.users[roles[0]]
    for role in roles[1:]:
        Membership.objects.create(user=holder, organisation=world.organisation, role=role, team=world.team)
    return holder


def _imported(world: World, roles: tuple[str, ...]) -> User:
    """A new person whose roles the home organisation's programme lead gave through the staff import."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from preceptorship import imports

    labels = "; ".join(Role(role).label for role in roles)
    content = (
        "E-mail,First name,Last name,Organisation,Team,Roles\n"
        f"imported.person@home.example,Ida,Imported,{world.organisation.name},{world.team.name},{labels}\n"
    ).encode()
    lead = world.users[Role.PROGRAMME_LEAD]
    staff_import = imports.staff_import_upload(actor=lead, upload=SimpleUploadedFile("staff.csv", content))
    assert staff_import.status == "ready", staff_import.preview
    imports.staff_import_start(actor=lead, staff_import=staff_import)
    assert imports.staff_import_apply(staff_import_id=staff_import.pk).status == "done"
    holder = User.objects.get(email="imported.person@home.example")
    assert set(holder.memberships.values_list("role", "organisation", "team")) == {
        (role, world.organisation.pk, world.team.pk) for role in roles}
    return holder


def _union_problems(world: World, holder: User, roles: tuple[str, ...], names: list[str]) -> list[str]:
    problems: list[str] = []
    for name in names:
        route = ROUTES[name]
        if name not in EXPECTATIONS or (route.arguments and name not in BUILDERS):
            continue
        client = Client(raise_request_exception=False)
        client.force_login(holder)
        for method, expectation in EXPECTATIONS[name].items():
            for target in TARGETS_WITH_OBJECT if route.arguments else NO_OBJECT:
                allowed = _union(expectation, roles, target)
                kwargs, secret = _build(world, route, holder, target)
                response = getattr(client, method.lower())(reverse(name, kwargs=kwargs))
                where = f"{method} {reverse(name, kwargs=kwargs)} ({target} object)"
                body = response.content.decode(errors="replace") if not getattr(response, "streaming", False) else ""
                if response.status_code not in allowed:
                    problems.append(f"{where}: got {response.status_code}, expected one of {sorted(allowed)}")
                if target == "other" and secret and secret in body:
                    problems.append(f"{where}: shows the other organisation's {secret!r}")
                leaked = [canary for canary in world.canaries if canary in body]
                if leaked:
                    problems.append(f"{where}: shows the other organisation's {leaked}")
    return problems


@pytest.mark.parametrize("combination", sorted(COMBINATIONS))
def test_people_with_several_roles_get_the_union_of_their_roles_and_no_more(
        combination: str, world: World) -> None:
    roles = COMBINATIONS[combination]
    holder = _holder_of(world, combination)
    for role in roles:
        world.users[role] = holder
    problems = _union_problems(world, holder, roles, sorted(ROUTES))
    assert not problems, f"{combination}:\n  " + "\n  ".join(problems)


def test_the_union_check_can_fail(world: World) -> None:
    """A holder of mentor and line manager who also got the lead role is given more than the union
    of the two: reported (so a pass means something)."""
    holder = _holder_of(world, "mentor+line_manager")
    Membership.objects.create(user=holder, organisation=world.organisation, role=Role.PROGRAMME_LEAD)
    problems = _union_problems(world, holder, COMBINATIONS["mentor+line_manager"], ["staff:import"])
    assert f"GET {reverse('staff:import')} (none object): got 200, expected one of [403]" in problems


def test_the_union_takes_the_most_any_role_is_given() -> None:
    expectation = {"anonymous": 302, "own:mentor": 200, "own:line_manager": 403, "*": 404}
    assert _union(expectation, (Role.MENTOR, Role.LINE_MANAGER), "own") == {200}
    assert _union(expectation, (Role.LINE_MANAGER, Role.HR), "own") == {403}
    assert _union(expectation, (Role.MENTOR, Role.LINE_MANAGER), "other") == {404}
