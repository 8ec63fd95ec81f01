"""The programmes pages, one module per subject: ``programmes`` and ``enrolments`` (the programme
lead's side and the enrolment page with its actions), ``completion``, and the practice side:
``caseload``, ``reviews``, ``goals``, ``reflections`` and ``protected_time``. ``common`` holds what
they share. ``programmes/urls/`` maps each URL to its view."""
