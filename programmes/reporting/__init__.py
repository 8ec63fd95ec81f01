"""The reports: dashboards, their figures, charts and downloads (a Django app, label ``reporting``).

It sits above ``programmes`` and ``progression``: it reads their records and the summary tables,
and neither imports it (``preceptorship/tests/test_layers.py``). ``measures`` is the figures' API;
``summary`` rebuilds the summary tables; ``views``, ``forms``, ``urls`` and ``navigation`` are the
pages. Importing this package imports nothing, so Django can load the app before the models.
"""
