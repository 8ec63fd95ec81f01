"""Access expectations for single sign-on (see the docstring of test_access_matrix.py): the sign-in
pages are public (``login_not_required``); a callback that no sign-in in this browser began is
refused with the "You could not be signed in" page, whoever asks."""

from __future__ import annotations

EXPECTATIONS = {
    # A signed-in person is sent to their home page, as by the password sign-in page.
    "identity:start": {"GET": {"anonymous": 200, "*": 302}, "POST": {"anonymous": 200, "*": 302}},
    "identity:callback": {"GET": {"*": 403}, "POST": {"*": 405}},
}

BUILDERS: dict = {}
