"""Two decisions on one case at the same instant, on a SQLite file database of their own (run by
test_sqlite_race.py in a process of its own: the tests' in-memory database is shared by threads
in a way a real server's file is not).

    DJANGO_SETTINGS_MODULE=preceptorship.settings.test DATABASE_URL=sqlite:////tmp/race.sqlite3 python -m preceptorship.tests.sqlite_race

Prints a JSON object: what each of the two decisions met, and the case's stage afterwards.
"""

from __future__ import annotations

import json
import threading

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from preceptorship.tests.factories import OrganisationFactory, TeamFactory  # noqa: E402
from progression import services  # noqa: E402
from progression.models import ProgressionCase  # noqa: E402
from progression.tests.factories import Cast, mark_required  # noqa: E402


def main() -> None:
    call_command("migrate", verbosity=0, interactive=False)
    organisation = OrganisationFactory(name="Race Council")
    cast = Cast(organisation, TeamFactory(organisation=organisation, name="Race team"))
    case = cast.open_case()
    mark_required(case, cast.manager)
    case = services.progression_case_submit(actor=cast.manager, case=case)
    revision = case.revision

    first_inside, second_started = threading.Event(), threading.Event()
    real_tell = services.cases._tell
    outcomes: dict[str, str] = {}

    def slow_tell(*args, **kwargs):
        # The first decision, inside its transaction, waits until the second has begun.
        if threading.current_thread().name == "recommend":
            first_inside.set()
            second_started.wait(10)
            threading.Event().wait(0.5)  # the second is now waiting at the door
        return real_tell(*args, **kwargs)

    services.cases._tell = slow_tell

    def decide(name: str, recommend: bool) -> None:
        try:
            if name == "return":
                first_inside.wait(10)
                second_started.set()
            fresh = ProgressionCase.objects.get(pk=case.pk)
            services.progression_case_hos_decide(actor=cast.hos, case=fresh, recommend=recommend,
                                                 comment="Not yet.", expected_revision=revision)
            outcomes[name] = "taken"
        except services.StaleCaseError as error:
            outcomes[name] = f"stale: {error}"
        except Exception as error:  # noqa: BLE001 - reported for the test to read
            outcomes[name] = f"error: {type(error).__name__}: {error}"
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, name=name, args=(name, name == "recommend"))
               for name in ("recommend", "return")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    stage = ProgressionCase.objects.get(pk=case.pk).stage
    print(json.dumps({"outcomes": outcomes, "stage": stage}))


if __name__ == "__main__":
    main()
