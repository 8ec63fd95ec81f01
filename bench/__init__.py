"""Development tools kept out of the runtime apps: the benchmark (run.py, settings.py, urls.py),
the scale-data generator (scale/) and the demo (demo/), with their management commands."""
