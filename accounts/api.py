from rest_framework import generics

from accounts.permissions import Role, organizations_where
from accounts.serializers import OrganizationSerializer


class OrganizationList(generics.ListAPIView):
    """The organizations where you hold a role."""

    serializer_class = OrganizationSerializer

    def get_queryset(self):
        return organizations_where(self.request.user, *Role.values).order_by("name")
