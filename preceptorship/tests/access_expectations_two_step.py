"""Access expectations for the two-step sign-in pages (see the docstring of test_access_matrix.py).

The matrix runs with TWO_STEP_REQUIRED off, as the tests' settings have it, and nobody in it has an
authenticator app: the sign-in pages send a signed-in person on (302), the recovery codes exist
only in the session that made them (the download is 404 without them), and the profile's page
answers everyone signed in; its two changes need an app, so they send the person back to it.
test_two_step.py checks the pages with the setting on.
"""

from __future__ import annotations

ONWARD = {"anonymous": 302, "*": 302}

EXPECTATIONS = {
    "two_step:verify": {"GET": ONWARD, "POST": ONWARD},
    "two_step:set-up": {"GET": ONWARD, "POST": ONWARD},
    "two_step:recovery-codes": {"GET": ONWARD, "POST": ONWARD},
    "two_step:recovery-codes-download": {"GET": {"anonymous": 302, "*": 404}, "POST": {"anonymous": 302, "*": 405}},
    "two_step:manage": {"GET": {"anonymous": 302, "*": 200}, "POST": {"anonymous": 302, "*": 405}},
    "two_step:recovery-codes-new": {"GET": ONWARD, "POST": ONWARD},
    "two_step:replace": {"GET": ONWARD, "POST": ONWARD},
}
