"""Fixed SQL expressions on a query's own rows, for the few reads where Django's ``Subquery`` and
``Exists`` cost more to build than the query takes to run (a page's one row with its figures).

The SQL is the caller's own text with no input in it: ``{name}`` stands for the quoted table of
the model given as ``name``, so a table's name is written once, in its model.
"""

from __future__ import annotations

from django.db import connection, models
from django.db.models.expressions import RawSQL


def fixed_sql(sql: str, output_field: models.Field, **tables: type[models.Model]) -> RawSQL:
    """``sql`` as an expression, with ``{name}`` replaced by the quoted table of ``tables[name]``."""
    quote = connection.ops.quote_name
    text = sql.format(**{name: quote(model._meta.db_table) for name, model in tables.items()})
    return RawSQL(text, (), output_field=output_field)  # noqa: S611  # nosec - the caller's fixed SQL, no input

