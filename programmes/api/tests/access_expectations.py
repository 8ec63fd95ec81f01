"""Access expectations for the integration API (see the docstring of test_access_matrix.py).

The API answers tokens only: a signed-in session, whatever its roles, gets the same 401 as nobody,
in JSON, never a redirect to sign in. The description and its documentation page are public (they
hold no records); anything else under /api/ is a JSON 404."""

from __future__ import annotations

TOKEN_ONLY = {"*": 401}
WRONG_METHOD = {"*": 405}
PUBLIC = {"*": 200}
NOT_FOUND = {"*": 404}


def _rest(world, viewer, target):
    return {"rest": "no-such-thing/"}


EXPECTATIONS = {
    "api:staff": {"GET": WRONG_METHOD, "POST": TOKEN_ONLY},
    "api:enrolments": {"GET": TOKEN_ONLY, "POST": WRONG_METHOD},
    "api:completions": {"GET": TOKEN_ONLY, "POST": WRONG_METHOD},
    "api:progression-outcomes": {"GET": TOKEN_ONLY, "POST": WRONG_METHOD},
    "api:openapi-json": {"GET": PUBLIC},
    "api:openapi-view": {"GET": PUBLIC},
    "api-index": {"GET": NOT_FOUND, "POST": NOT_FOUND},
    "api:api-root": {"GET": NOT_FOUND},
    "api-not-found": {"GET": NOT_FOUND, "POST": NOT_FOUND},
}

BUILDERS = {"api-not-found": _rest}
