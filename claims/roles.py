"""Roles as groups of permissions: who may read drafts, write, publish, and administer.

| role           | reads drafts | writes                                    | publishes/withdraws |
|----------------|--------------|-------------------------------------------|---------------------|
| (anonymous)    | no           | nothing                                   | no                  |
| analysts       | yes          | assessments                               | no                  |
| editors        | yes          | drafts of claims and everything around them | no                |
| reviewers      | yes          | what editors write, also published claims | yes                 |
| administrators | yes          | everything, users and tokens included     | yes                 |

``sync_roles`` makes the groups match this table; a migration runs it, and so does
``manage.py assign_role``, so permissions of models added later reach the roles.
"""

from __future__ import annotations

from django.apps.registry import Apps
from django.apps.registry import apps as global_apps

READ_RECORD = [
    ("sources", model, "view") for model in ("actor", "alias", "affiliation", "document")
] + [
    ("claims", model, "view")
    for model in (
        "incident",
        "claim",
        "claimtarget",
        "casualtyfigure",
        "response",
        "attribution",
        "evidence",
        "assessment",
        "changerecord",
    )
]

_ENTER = ("add", "change", "view")
_PARTS = ("add", "change", "delete", "view")
EDIT_RECORD = (
    [("sources", m, a) for m in ("actor", "document") for a in _ENTER]
    + [("sources", m, a) for m in ("alias", "affiliation") for a in _PARTS]
    + [("claims", m, a) for m in ("incident", "claim") for a in _ENTER]
    + [
        ("claims", m, a)
        for m in ("claimtarget", "casualtyfigure", "response", "attribution", "evidence")
        for a in _PARTS
    ]
)

# Bulk imports are how editors bring in whole datasets.
IMPORT = [("claims", "importjob", "add"), ("claims", "importjob", "view")]

ROLES: dict[str, list[tuple[str, str, str]]] = {
    "analysts": READ_RECORD + [("claims", "assessment", a) for a in ("add", "change")],
    "editors": READ_RECORD + EDIT_RECORD + IMPORT,
    "reviewers": READ_RECORD + EDIT_RECORD + IMPORT + [("claims", "claim", "publish")],
}
# Administrators hold every permission of these apps, whatever models they gain later.
ADMIN_APPS = ("sources", "claims", "auth")


def sync_roles(apps: Apps = global_apps) -> None:
    """Create the role groups and set their permissions to exactly what ROLES says."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in ROLES.items():
        codenames = {(app, f"{action}_{model}") for app, model, action in grants}
        permissions = [
            p
            for p in Permission.objects.filter(
                content_type__app_label__in={app for app, _ in codenames},
                codename__in={code for _, code in codenames},
            ).select_related("content_type")
            if (p.content_type.app_label, p.codename) in codenames
        ]
        missing = codenames - {(p.content_type.app_label, p.codename) for p in permissions}
        if missing:
            raise RuntimeError(f"role {name}: permissions do not exist: {sorted(missing)}")
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(permissions)
    administrators, _ = Group.objects.get_or_create(name="administrators")
    administrators.permissions.set(
        Permission.objects.filter(content_type__app_label__in=ADMIN_APPS)
    )


ROLE_NAMES = ["analysts", "editors", "reviewers", "administrators"]
