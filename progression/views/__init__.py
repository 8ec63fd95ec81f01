"""The progression pages, one module per subject: ``frameworks`` and ``framework_content`` (the
frameworks and the editing of a draft), ``cases`` (lists, the case page, the base of every form about
a case, marking competencies), ``evidence`` (and packs), ``decisions`` (the sign-off chain),
``delegations`` and ``letters``. ``progression/urls.py`` maps each URL to its view."""
