from django.db import migrations, models
from django.db.models import F


def told_before(apps, schema_editor):
    """Awards issued before this step existed were never announced by it:
    marking them told keeps a deployment from mailing every learner's history."""
    Award = apps.get_model("credentials", "Award")
    Award.objects.filter(notified_at__isnull=True).update(notified_at=F("issued_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("credentials", "0009_award_expiry_and_renewal"),
    ]

    operations = [
        migrations.AddField(
            model_name="award",
            name="notified_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(told_before, migrations.RunPython.noop),
    ]
