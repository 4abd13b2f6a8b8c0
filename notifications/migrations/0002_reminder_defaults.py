from django.db import migrations

KINDS = ["registration", "booking", "equipment_booking", "shift"]


def create_defaults(apps, schema_editor):
    ReminderDefault = apps.get_model("notifications", "ReminderDefault")
    for kind in KINDS:
        ReminderDefault.objects.get_or_create(
            kind=kind, defaults={"enabled": True, "lead_minutes": [1440, 120]}
        )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
