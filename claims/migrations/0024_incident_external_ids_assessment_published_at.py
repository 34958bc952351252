# When an assessment was published (a ClaimReview's datePublished), and the ids the conflict
# datasets and Wikidata give an incident.

import django.core.validators
from django.db import migrations, models
from django.db.models import F


def published_when_created(apps, schema_editor):
    """Assessments public before the column existed: their creation is the best time the row
    itself holds (the history holds the exact one)."""
    Assessment = apps.get_model("claims", "Assessment")
    Assessment.objects.filter(status="published", published_at__isnull=True).update(
        published_at=F("created_at")
    )


class Migration(migrations.Migration):

    dependencies = [
        ('claims', '0023_incident_location_precision'),
    ]

    operations = [
        migrations.AddField(
            model_name='assessment',
            name='published_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(published_when_created, migrations.RunPython.noop),
        migrations.AddField(
            model_name='incident',
            name='acled_id',
            field=models.CharField(blank=True, help_text="ACLED's event_id_cnty of the same event, such as SYR84051.", max_length=13, validators=[django.core.validators.RegexValidator('^[A-Z]{3}[0-9]{1,10}$', "An ACLED event id is a country's three-letter code and a number, such as SYR84051.")], verbose_name='ACLED event id'),
        ),
        migrations.AddField(
            model_name='incident',
            name='ucdp_id',
            field=models.CharField(blank=True, help_text="The id of the same event in UCDP's Georeferenced Event Dataset.", max_length=12, validators=[django.core.validators.RegexValidator('^[1-9][0-9]{0,11}$', 'A UCDP GED event id is a number, such as 244657.')], verbose_name='UCDP GED event id'),
        ),
        migrations.AddField(
            model_name='incident',
            name='wikidata_id',
            field=models.CharField(blank=True, max_length=20, validators=[django.core.validators.RegexValidator('^Q[1-9][0-9]*$', 'A Wikidata identifier looks like Q42.')], verbose_name='Wikidata ID'),
        ),
    ]
