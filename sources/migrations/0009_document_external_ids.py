# Identifiers others know a document by: its Wikidata item and, for reports and papers, its DOI.

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('sources', '0008_editor_codes_any_case'),
    ]

    operations = [
        migrations.AddField(
            model_name='document',
            name='doi',
            field=models.CharField(blank=True, help_text='For reports and papers.', max_length=200, validators=[django.core.validators.RegexValidator('^10\\.[0-9]{4,9}/\\S+$', 'A DOI looks like 10.1000/xyz123, without https://doi.org/.')], verbose_name='DOI'),
        ),
        migrations.AddField(
            model_name='document',
            name='wikidata_id',
            field=models.CharField(blank=True, max_length=20, validators=[django.core.validators.RegexValidator('^Q[1-9][0-9]*$', 'A Wikidata identifier looks like Q42.')], verbose_name='Wikidata ID'),
        ),
    ]
