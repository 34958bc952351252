"""Create the "editors" group: editors enter and correct statements but do not delete the record."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# (app, model) -> actions editors may take. Deleting actors, documents, incidents and claims
# would lose the record, so editors cannot; parts of a statement they entered they may remove.
EDITOR_PERMISSIONS = {
    ("sources", "actor"): ("add", "change", "view"),
    ("sources", "alias"): ("add", "change", "delete", "view"),
    ("sources", "affiliation"): ("add", "change", "delete", "view"),
    ("sources", "document"): ("add", "change", "view"),
    ("claims", "incident"): ("add", "change", "view"),
    ("claims", "claim"): ("add", "change", "view"),
    ("claims", "claimtarget"): ("add", "change", "delete", "view"),
    ("claims", "casualtyfigure"): ("add", "change", "delete", "view"),
    ("claims", "response"): ("add", "change", "delete", "view"),
    ("claims", "attribution"): ("add", "change", "delete", "view"),
    ("claims", "evidence"): ("add", "change", "delete", "view"),
    ("claims", "assessment"): ("view",),
}


def create_editors(apps, schema_editor):
    # Permissions are normally made after all migrations run; make them now so we can grant them.
    # The historical app configs are stubs without models_module, which create_permissions
    # reads only to decide whether the app has models; these two do.
    for app_label in ("sources", "claims"):
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="editors")
    for (app_label, model), actions in EDITOR_PERMISSIONS.items():
        codenames = [f"{action}_{model}" for action in actions]
        permissions = Permission.objects.filter(
            content_type__app_label=app_label, codename__in=codenames
        )
        if permissions.count() != len(codenames):
            raise RuntimeError(f"missing permissions for {app_label}.{model}: {codenames}")
        editors.permissions.add(*permissions)


def remove_editors(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="editors").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("sources", "0001_initial"),
        ("claims", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_editors, remove_editors)]
