"""A speaker's claims by status and date, readable from the index alone (issue 14).

The actor index counts each listed actor's published claims: through claim_speaker_date_idx,
which holds no status, each count read every one of the actor's claim rows from the table
(117,000 pages for one page of actors at a million claims, 1.7 s). With the status in the index
the count is an index-only scan, and so are the timeline band's passes over claims by speaker
and date.

Numbered 0027 after search's 0026 (another branch); it depends on 0025 only.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("claims", "0026_claim_lexeme_pairs")]

    operations = [
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(
                fields=["speaker", "status", "made_on"], name="claim_speaker_status_date_idx"
            ),
        ),
    ]
