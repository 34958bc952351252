# Indexes in the cursor orders of the claim lists (speaker and incident, id as tiebreak).

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('claims', '0006_search_vectors'),
        ('sources', '0003_jobs'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='claim',
            name='claim_speaker_date_idx',
        ),
        migrations.RemoveIndex(
            model_name='claim',
            name='claim_incident_date_idx',
        ),
        migrations.AddIndex(
            model_name='claim',
            index=models.Index(fields=['speaker', 'made_on', 'id'], name='claim_speaker_date_idx'),
        ),
        migrations.AddIndex(
            model_name='claim',
            index=models.Index(fields=['incident', 'status', 'made_on', 'id'], name='claim_incident_date_idx'),
        ),
    ]
