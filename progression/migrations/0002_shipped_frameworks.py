"""Load the shipped frameworks (seed 004's two Range 6 to Range 7 tables) from progression/data."""

import json
from pathlib import Path

from django.db import migrations
from django.utils import timezone

DATA = Path(__file__).resolve().parent.parent / "data" / "frameworks.json"


def load(apps, schema_editor):
    Framework = apps.get_model("progression", "Framework")
    Section = apps.get_model("progression", "Section")
    Competency = apps.get_model("progression", "Competency")
    Profession = apps.get_model("preceptorship", "Profession")
    for data in json.loads(DATA.read_text(encoding="utf-8")):
        if Framework.objects.filter(slug=data["slug"], version=data["version"]).exists():
            continue
        framework = Framework.objects.create(
            name=data["name"], slug=data["slug"], version=data["version"], source=data.get("source", ""),
            from_level=data.get("from_level", ""), to_level=data.get("to_level", ""), owner=None,
            status="published", published_at=timezone.now(),
        )
        framework.professions.set(Profession.objects.filter(slug__in=data.get("professions", [])))
        for s_order, section_data in enumerate(data["sections"], start=1):
            section = Section.objects.create(
                framework=framework, title=section_data["title"], order=s_order,
                required_for_sign_off=section_data.get("required_for_sign_off", False),
            )
            for c_order, c in enumerate(section_data["competencies"], start=1):
                Competency.objects.create(section=section, code=c["code"], statement=c["statement"],
                                          guidance=c.get("guidance", ""), order=c_order)


def unload(apps, schema_editor):
    Framework = apps.get_model("progression", "Framework")
    slugs = [data["slug"] for data in json.loads(DATA.read_text(encoding="utf-8"))]
    Framework.objects.filter(slug__in=slugs, version=1, owner=None, cases__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("progression", "0001_initial"),
        ("preceptorship", "0002_professions"),
    ]

    operations = [migrations.RunPython(load, unload)]
