"""The one error every app's services raise for a change the record's current state does not allow.

Views catch it to show its sentence to the user (a message beside the form, or the page again);
it is a ``ValueError`` so code that only knows the standard library still treats it as bad input.
"""

from __future__ import annotations


class TransitionError(ValueError):
    """A change the record's current state does not allow, with a sentence a user can read."""
