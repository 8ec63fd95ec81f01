"""The rule kinds "preceptor time per year" and "protected caseload respected", and the national
sets loaded again so they hold both criteria, switched off (the sources set no figure for them)."""

from importlib import import_module

from django.db import migrations, models

national_sets = import_module("programmes.reporting.migrations.0002_national_standard_sets")


class Migration(migrations.Migration):
    dependencies = [("reporting", "0002_national_standard_sets")]

    operations = [
        migrations.AlterField(
            model_name="criterion",
            name="kind",
            field=models.CharField(
                choices=[
                    ("programme_length", "Programme length at least N months"),
                    ("first_meeting", "First review meeting within N days of the start"),
                    ("meeting_interval", "Review meetings at least every N months"),
                    ("protected_time", "Protected time recorded at least N hours a month"),
                    ("named_preceptor", "A named preceptor (mentor) who is not the preceptee"),
                    ("preceptor_registered", "Preceptor registered at least N months before the start"),
                    ("needs_assessment", "Needs assessment completed within N days of the start"),
                    ("evaluation", "Evaluation answered at completion"),
                    ("preceptor_time", "Preceptor time given at least N hours a year to each preceptee"),
                    ("protected_caseload", "Protected caseload respected in the protected months"),
                ],
                max_length=30,
            ),
        ),
        migrations.RunPython(national_sets.load, migrations.RunPython.noop),
    ]
