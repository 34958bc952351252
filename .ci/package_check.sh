#!/usr/bin/env bash
# CI: `pip install .` into a new virtual environment, then run the installed copy from another
# folder (no checkout on sys.path): the packages import, templates and static files are found,
# migrations apply, and pages, the API and /healthz answer. Cleans up on any exit.
# Usage: .ci/package_check.sh [PYTHON]   (default python3.11)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="${1:-python3.11}"
WORK="$(mktemp -d -t claimtracker-package-XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

# What a fresh clone holds (tracked files, and new ones not ignored), so that the build leaves
# nothing in the checkout and uses nothing that only a developer's copy has.
mkdir "$WORK/src"
git -C "$ROOT" ls-files -z --cached --others --exclude-standard \
    | (cd "$ROOT" && xargs -0 tar -cf - --ignore-failed-read 2>/dev/null) | tar -xf - -C "$WORK/src"
"$PYTHON" -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install --quiet --upgrade pip
"$WORK/venv/bin/pip" install --quiet "$WORK/src"

cd "$WORK"
export DJANGO_SETTINGS_MODULE=claimtracker.settings DEBUG=false ALLOWED_HOSTS=testserver
export SECRET_KEY=package-check-only-not-secret-0123456789 LOG_LEVEL=WARNING
export DATABASE_URL="sqlite:///$WORK/claimtracker.sqlite3" MEDIA_ROOT="$WORK/media"
env -u CELERY_BROKER_URL -u CACHE_URL "$WORK/venv/bin/python" - "$ROOT" <<'EOF'
import sys
from pathlib import Path

import claims, claimtracker, sources  # noqa: E401  the three installed packages

root = Path(sys.argv[1])
for package in (claims, claimtracker, sources):
    assert root not in Path(package.__file__).parents, f"{package.__name__} came from the checkout"

import django
from django.core.management import call_command

django.setup()
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import get_template
from django.test import Client

call_command("migrate", verbosity=0)
call_command("collectstatic", interactive=False, verbosity=0)
call_command("load_demo", verbosity=0)
installed = Path(claimtracker.__file__).parent
assert Path(settings.TEMPLATES_DIR) == installed / "templates", settings.TEMPLATES_DIR
assert finders.find("css/claimtracker.css"), "the stylesheet is not installed"
shipped = sorted(p.relative_to(root / "templates") for p in (root / "templates").rglob("*.html"))
for name in shipped:
    get_template(str(name))
client = Client()
for path in ("/", "/timeline/", "/api/v1/claims/", "/admin/login/", "/healthz"):
    answer = client.get(path)
    assert answer.status_code == 200, (path, answer.status_code)
assert client.get("/static/css/claimtracker.css").status_code == 200
print(f"package check: installed in {installed.parent}; {len(shipped)} templates, static files,")
print("  migrations, the demo, pages, the API and /healthz all work from the installed copy")
EOF
"$WORK/venv/bin/claimtracker" check
echo "package check: the claimtracker command runs"
