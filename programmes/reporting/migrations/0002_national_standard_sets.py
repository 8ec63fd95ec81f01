"""Loads the national standard sets from ``programmes/reporting/data/standard_sets.json``. Running
it again (or after the file changes) updates the national sets in place and never touches an
organisation's copy."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "standard_sets.json"


def load(apps, schema_editor) -> None:
    StandardSet = apps.get_model("reporting", "StandardSet")
    Criterion = apps.get_model("reporting", "Criterion")
    for found in json.loads(DATA.read_text())["sets"]:
        standard_set, _ = StandardSet.objects.update_or_create(
            code=found["code"], organisation=None,
            defaults={"name": found["name"], "source": found["source"], "source_url": found.get("source_url", "")},
        )
        for index, criterion in enumerate(found["criteria"]):
            Criterion.objects.update_or_create(
                standard_set=standard_set, code=criterion["code"],
                defaults={"position": index, "title": criterion["title"], "kind": criterion["kind"],
                          "parameter": criterion["parameter"], "source": criterion["source"],
                          "enabled": criterion.get("enabled", True)},
            )


class Migration(migrations.Migration):
    dependencies = [("reporting", "0001_standard_sets")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
