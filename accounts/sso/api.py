"""Identity providers through the API: the same services and permission as the
pages (only the organization's admins and site admins)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.shortcuts import get_object_or_404
from rest_framework import generics
from rest_framework.exceptions import ValidationError

from accounts.models import IdentityProvider
from accounts.sso import selectors, services
from accounts.sso.permissions import get_organization_for_sso
from accounts.sso.serializers import IdentityProviderSerializer


def _refused(error: DjangoValidationError) -> ValidationError:
    return ValidationError(
        error.message_dict if hasattr(error, "error_dict") else error.messages
    )


class IdentityProviderList(generics.ListCreateAPIView):
    """An organization's identity providers; POST adds one."""

    serializer_class = IdentityProviderSerializer
    pagination_class = None  # a handful a organization

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # Who may is settled before a body is read: a stranger learns nothing
        # from field errors.
        self.organization = get_organization_for_sso(request.user, kwargs["slug"])

    def get_organization(self):
        return self.organization

    def get_queryset(self):
        return selectors.identity_providers(self.get_organization()).prefetch_related(
            "role_rules"
        )

    def perform_create(self, serializer):
        arguments = serializer.service_arguments()
        try:
            serializer.instance = services.create_identity_provider(
                self.get_organization(), by=self.request.user, **arguments
            )
        except DjangoValidationError as error:
            raise _refused(error) from error
        except IntegrityError as error:
            raise ValidationError({"slug": ["This short name is taken."]}) from error


class IdentityProviderDetail(generics.RetrieveUpdateDestroyAPIView):
    """One identity provider; PATCH changes it (slug and protocol stay)."""

    serializer_class = IdentityProviderSerializer

    def get_object(self):
        organization = get_organization_for_sso(self.request.user, self.kwargs["slug"])
        return get_object_or_404(
            IdentityProvider.objects.prefetch_related("role_rules"),
            organization=organization,
            slug=self.kwargs["provider_slug"],
        )

    def perform_update(self, serializer):
        arguments = serializer.service_arguments()
        for fixed in ("slug", "protocol"):
            if fixed in arguments and arguments[fixed] != getattr(
                serializer.instance, fixed
            ):
                raise ValidationError({fixed: ["This cannot change once saved."]})
            arguments.pop(fixed, None)
        if not arguments.get("client_secret"):
            arguments.pop("client_secret", None)  # blank keeps the sealed one
        try:
            serializer.instance = services.update_identity_provider(
                serializer.instance, by=self.request.user, **arguments
            )
        except DjangoValidationError as error:
            raise _refused(error) from error

    def perform_destroy(self, instance):
        services.remove_identity_provider(instance, by=self.request.user)
