"""The chain's hashes stay unique without a B-tree over them.

A unique B-tree over random 64-character hashes puts every change on a random leaf page: at a
million synthetic claims (4.3M change records) it was 510 MB, the largest single cost of
generate_data with PostgreSQL's 128 MB of shared buffers, and ``unique=True`` had added a second
such index for LIKE look-ups nobody makes. On PostgreSQL an exclusion constraint over a hash index
holds the same rule (no two records with equal hashes) with a 146 MB index; elsewhere a unique
index does. Django's ExclusionConstraint offers only GiST and SP-GiST, hence the SQL.
"""

from django.db import migrations, models

NAME = "change_record_hash_unique"
TABLE = "claims_changerecord"


def add_hash_constraint(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"ALTER TABLE {TABLE} ADD CONSTRAINT {NAME} EXCLUDE USING hash (hash WITH =)"
        )
    else:
        schema_editor.execute(f"CREATE UNIQUE INDEX {NAME} ON {TABLE} (hash)")


def drop_hash_constraint(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} DROP CONSTRAINT IF EXISTS {NAME}")
    else:
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):

    dependencies = [
        ('claims', '0007_list_indexes'),
    ]

    operations = [
        migrations.AlterField(
            model_name='changerecord',
            name='hash',
            field=models.CharField(max_length=64),
        ),
        migrations.RunPython(add_hash_constraint, drop_hash_constraint, elidable=False),
    ]
