"""The editors' door: Django admin pages for every part of the record and its background work.

Django's admin autodiscovery imports this package; each module registers its own pages.
"""

from claims.admin import archive, claims, history, jobs, sources, tokens  # noqa: F401
