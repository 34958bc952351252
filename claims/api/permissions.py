"""The API's model permissions (REST_FRAMEWORK's default), which answer a read without building
the view's queryset."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework.permissions import DjangoModelPermissionsOrAnonReadOnly

# Under TYPE_CHECKING: DRF imports this module (a default class) while rest_framework.views
# is still loading.
if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView


class ReadsFreelyModelPermissions(DjangoModelPermissionsOrAnonReadOnly):
    """Anyone reads; model permissions decide writes, as DRF's class does.

    DRF calls ``get_queryset()`` on every request only to learn the model whose permissions a
    method needs, even when the method needs none: for the claim list that built its queryset,
    standing annotation and all, on every kept answer (a fifth of its time). A method that
    needs no permission is answered from the user alone; the others go the usual way.
    """

    def has_permission(self, request: Request, view: APIView) -> bool:
        if self.perms_map.get(request.method or "") == []:
            # What DRF's check comes to for such a method: a user (anonymous ones too).
            return bool(request.user)
        return super().has_permission(request, view)
