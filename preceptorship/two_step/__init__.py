"""Two-step sign-in: accounts with powerful roles confirm a code from an authenticator app after
their password (``TWO_STEP_REQUIRED``; docs/deploy.md).

``rules`` says who is asked; ``services`` sets up, checks, replaces and resets devices (django-otp's
TOTP and static devices), each audited; ``middleware`` keeps an unconfirmed session to the
two-step pages; ``views``, ``forms`` and ``urls`` are the pages; ``admin`` the reset.
"""
