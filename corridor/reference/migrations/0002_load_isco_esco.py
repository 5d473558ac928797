"""Load the ISCO-08 groups and ESCO occupations shipped in corridor/reference/data (see data/SOURCE.md)."""

from django.db import migrations


def load(apps, schema_editor):
    from corridor.reference.loading import load_reference

    load_reference(apps.get_model("reference", "IscoGroup"), apps.get_model("reference", "EscoOccupation"))


def unload(apps, schema_editor):
    from corridor.reference.loading import unload_reference

    unload_reference(apps.get_model("reference", "IscoGroup"), apps.get_model("reference", "EscoOccupation"))


class Migration(migrations.Migration):
    dependencies = [("reference", "0001_initial")]

    operations = [migrations.RunPython(load, unload, elidable=False)]
