"""The integration API (``/api/``): staff records in from ESR, SAP or a council's HR system, and
enrolments, completions and progression outcomes out, for one organisation per token.

Modules: ``models`` (tokens), ``services`` (creating, revoking and checking tokens), ``limits`` (the
rate limit, shared by every web server through the cache), ``auth`` (the token header), ``schemas``
and ``endpoints`` (the API itself, with django-ninja), ``urls``. docs/api.md shows it in use.
"""
