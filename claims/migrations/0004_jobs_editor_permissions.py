"""Editors import datasets (issue 5): they may upload import jobs and follow them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_PERMISSIONS = {("claims", "importjob"): ("add", "view")}


def grant(apps, schema_editor):
    # As in 0002: permissions are normally made after all migrations; make them now to grant them.
    app_config = apps.get_app_config("claims")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="editors")
    for (app_label, model), actions in EDITOR_PERMISSIONS.items():
        codenames = [f"{action}_{model}" for action in actions]
        editors.permissions.add(
            *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    editors = apps.get_model("auth", "Group").objects.filter(name="editors").first()
    if editors:
        editors.permissions.remove(
            *Permission.objects.filter(content_type__app_label="claims", codename__endswith="_importjob")
        )


class Migration(migrations.Migration):
    dependencies = [("claims", "0004_jobs"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(grant, revoke)]
