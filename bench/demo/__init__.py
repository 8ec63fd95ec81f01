"""The demo (``manage.py seed_demo``): a fictional ICS with every role and each journey shown mid-way.

``directory.build`` makes the organisations and people; then, each on what the one before made,
``progression``, ``enrolments`` and ``practice`` (which ends with ``history``), each through a
``build(directory=, today=)`` that calls the product's services and is safe to run twice.
"""
