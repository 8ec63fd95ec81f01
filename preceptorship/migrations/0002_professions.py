"""Load the professions (the 14 allied health professions, social work, nursing, midwifery and
AHP support workers) from preceptorship/data/professions.json."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "professions.json"


def load(apps, schema_editor):
    Profession = apps.get_model("preceptorship", "Profession")
    for row in json.loads(DATA.read_text(encoding="utf-8")):
        Profession.objects.update_or_create(
            slug=row["slug"], defaults={"name": row["name"], "kind": row["kind"], "regulator": row["regulator"]}
        )


class Migration(migrations.Migration):
    dependencies = [("preceptorship", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
