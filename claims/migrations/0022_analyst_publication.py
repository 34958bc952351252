# When a claim was published (the home page's "what is new"), whether an assessment is a draft,
# and help asking for neutral incident titles.

from django.conf import settings
from django.db import migrations, models
from django.db.models import F

DRAFT_LABEL = "draft (only analysts, editors and reviewers see it)"
STATUSES = [("draft", DRAFT_LABEL), ("published", "published")]
HELP = "A draft grading is not shown on the claim and incident pages or exports."
TITLE_HELP = (
    "Neutral wording that names the event, place and time without taking any party's account "
    "of it: “Fighting near Hama, September 2017”, not one side's version (“Attack on … troops”, "
    "“Massacre in …”)."
)


def published_when_created(apps, schema_editor):
    """Claims public before the column existed: their creation is the best time the row
    itself holds (the history holds the exact one, and keeps this update too)."""
    Claim = apps.get_model("claims", "Claim")
    Claim.objects.filter(status__in=["published", "withdrawn"], published_at__isnull=True).update(
        published_at=F("created_at")
    )


class Migration(migrations.Migration):

    dependencies = [
        ("claims", "0021_ledger_trusted_timestamps"),
        ("sources", "0006_web_addresses_only"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Assessments made before drafts existed were already public in the ClaimReview export.
        migrations.AddField(
            model_name="assessment",
            name="status",
            field=models.CharField(
                choices=STATUSES, default="published", help_text=HELP, max_length=10
            ),
        ),
        migrations.AlterField(
            model_name="assessment",
            name="status",
            field=models.CharField(
                choices=STATUSES, default="draft", help_text=HELP, max_length=10
            ),
        ),
        migrations.AddField(
            model_name="claim",
            name="published_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(
                fields=["status", "published_at", "id"], name="claim_published_idx"
            ),
        ),
        migrations.AlterField(
            model_name="incident",
            name="title",
            field=models.CharField(help_text=TITLE_HELP, max_length=300),
        ),
        migrations.RunPython(published_when_created, migrations.RunPython.noop),
    ]
