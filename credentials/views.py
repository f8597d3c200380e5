import json
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import ratelimit
from accounts.forms import add_service_errors
from accounts.images import MAX_LOGO_BYTES
from accounts.models import Membership, Organization
from accounts.permissions import get_organization_for
from credentials import (
    award_selectors,
    badges,
    baking,
    permissions,
    selectors,
    services,
)
from credentials.forms import (
    CompromiseForm,
    IssuerDetailsForm,
    StatusChangeForm,
    UploadForm,
)
from credentials.models import (
    Award,
    Endorsement,
    IssuerProfile,
    SigningKey,
    StatusList,
)
from credentials.services import checkmemo

Role = Membership.Role


def _award_or_404(uuid) -> Award:
    try:
        return award_selectors.public_award(uuid)
    except Award.DoesNotExist as missing:
        raise Http404("No credential has this identifier.") from missing


def _public_json(data: dict, filename: str = "") -> JsonResponse:
    response = JsonResponse(data, json_dumps_params={"indent": 2})
    if filename:
        response["Content-Disposition"] = f'inline; filename="{filename}"'
    # Verifiers fetch these from other origins.
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def verify(request: HttpRequest, uuid) -> HttpResponse:
    award = _award_or_404(uuid)
    return render(
        request,
        "credentials/verify.html",
        {
            "award": award,
            "verification": services.verify_award(award, just_read=True),
            # Indented JSON is written by the pure-Python encoder (a tenth of
            # the page's time): kept by the credential's digest, as its checks.
            "credential_json": checkmemo.remembered(
                ("indented-json", checkmemo.digest(award.credential)),
                lambda: json.dumps(award.credential, indent=2),
            ),
            "can_manage": permissions.can_manage_credentials(
                request.user, award.organization
            ),
            "linkedin_url": selectors.linkedin_url(award),
            "expired": award.is_expired(timezone.now()),
            "can_renew": services.can_be_renewed(award),
            "renewal_steps": services.renewal_steps(award),
        },
    )


@require_http_methods(["GET", "POST"])
def verify_upload(request: HttpRequest) -> HttpResponse:
    """Anyone checks a credential they hold: JSON, a Cairn PDF or a badge image."""
    verification = None
    problem = ""
    form = (
        UploadForm(request.POST, request.FILES)
        if request.method == "POST"
        else UploadForm()
    )
    limited = request.method == "POST" and ratelimit.exceeded(
        request, "verify", settings.CAIRN_VERIFY_PER_MINUTE
    )
    if limited:
        problem = (
            "Too many checks from your address in the last minute. "
            "Wait a minute and try again."
        )
    elif request.method == "POST" and form.is_valid():
        try:
            upload = form.cleaned_data["file"]
            if upload:
                opened = baking.open_file(upload.read())
            else:
                opened = baking.open_text(form.cleaned_data["text"])
        except baking.HostedLink as link:
            verification = services.verify_hosted_link(link.url)
        except baking.NoCredentialFound as error:
            problem = str(error)
        else:
            verification = services.verify_credential(opened.document, jwt=opened.jwt)
    status = 400 if request.method == "POST" and verification is None else 200
    response = render(
        request,
        "credentials/verify_upload.html",
        {"form": form, "verification": verification, "problem": problem},
        status=429 if limited else status,
    )
    if limited:
        response["Retry-After"] = str(ratelimit.WINDOW_SECONDS)
    return response


@require_GET
def credential_json(request: HttpRequest, uuid) -> JsonResponse:
    award = _award_or_404(uuid)
    return _public_json(award.credential, f"{award.uuid}.json")


@require_GET
def certificate_pdf(request: HttpRequest, uuid) -> FileResponse:
    award = services.certificate_for_download(_award_or_404(uuid))
    if not award.pdf:
        raise Http404("The certificate is still being prepared. Try again shortly.")
    try:
        pdf = award.pdf.open("rb")
    except OSError as missing:  # gone from the disk or the bucket
        raise Http404("The certificate file is missing.") from missing
    return FileResponse(
        pdf, content_type="application/pdf", filename=f"{award.uuid}.pdf"
    )


@require_GET
def badge_image(request: HttpRequest, uuid, fmt: str) -> HttpResponse:
    """The badge image with the signed credential baked in (OB 3.0 baking)."""
    award = _award_or_404(uuid)
    art = selectors.award_badge_art(award)
    facts = {
        "achievement_name": award.achievement_name,
        "organization_name": selectors.issuer_name(award),
        "credential": award.credential,
    }
    if fmt == "png":
        content = badges.badge_png(**facts, image=art.png)
    else:
        svg = art.svg
        if svg is None and art.png is not None:
            svg = badges.svg_around_png(art.png, label=award.achievement_name)
        content = badges.badge_svg(**facts, image=svg)
    response = HttpResponse(
        content, content_type="image/png" if fmt == "png" else "image/svg+xml"
    )
    response["Content-Disposition"] = f'inline; filename="{award.uuid}.{fmt}"'
    return response


@require_GET
def status_list(request: HttpRequest, pk: int) -> JsonResponse:
    """A signed BitstringStatusListCredential, as the credentials point to it."""
    listed = get_object_or_404(StatusList, pk=pk)
    if listed.credential is None:
        listed = services.sign_status_list(listed)
    response = _public_json(listed.credential)
    # Short enough that a revocation is seen within minutes (the list's ttl).
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_GET
def did_document(request: HttpRequest) -> JsonResponse:
    if settings.CAIRN_DID_METHOD != "web":
        raise Http404("This site's issuers use did:key, which needs no document.")
    return _public_json(services.site_did_document())


@require_GET
def organization_did_document(request: HttpRequest, slug: str) -> JsonResponse:
    organization = get_object_or_404(Organization, slug=slug)
    return _public_json(services.organization_did_document(organization))


@require_GET
def issuer(request: HttpRequest, slug: str) -> HttpResponse:
    """The public issuer profile, and for its admins, its keys."""
    organization = get_object_or_404(Organization, slug=slug)
    can_manage = permissions.can_manage_credentials(request.user, organization)
    return render(
        request,
        "credentials/issuer.html",
        {
            "organization": organization,
            "did": services.current_issuer_did(organization),
            "did_web": settings.CAIRN_DID_METHOD == "web",
            "logo_url": selectors.issuer_image_url(organization),
            "signing": selectors.signing_options(organization),
            "proof_formats": IssuerProfile.ProofFormat.choices,
            "can_manage": can_manage,
            "keys": SigningKey.objects.filter(organization=organization).order_by(
                "-is_active", "-created_at"
            )
            if can_manage
            else (),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_issuer(request: HttpRequest, slug: str) -> HttpResponse:
    organization = get_organization_for(request.user, slug, Role.ADMIN)
    form = IssuerDetailsForm(
        request.POST if request.method == "POST" else None,
        instance=Organization(
            name=organization.name,
            url=organization.url,
            email=organization.email,
            description=organization.description,
        ),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_issuer_details(
                organization,
                by=request.user,
                **{name: form.cleaned_data[name] for name in form.Meta.fields},
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                "Issuer details saved. Credentials issued from now on carry them; "
                "those issued before keep what they were signed with.",
            )
            return redirect("credentials:issuer", slug=organization.slug)
    return render(
        request,
        "credentials/issuer_edit.html",
        {"organization": organization, "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
@login_required
def rotate_key(request: HttpRequest, slug: str) -> HttpResponse:
    organization = get_organization_for(request.user, slug, Role.ADMIN)
    key = services.rotate_signing_key(organization, by=request.user)
    messages.success(
        request,
        f"A new signing key {key.public_multibase[:16]}… signs from now on; the old "
        "one still verifies what it signed.",
    )
    return redirect("credentials:issuer", slug=organization.slug)


@login_required
@require_http_methods(["GET", "POST"])
def compromise_key(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organization = get_organization_for(request.user, slug, Role.ADMIN)
    key = get_object_or_404(SigningKey, pk=pk, organization=organization)
    form = CompromiseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            count = services.mark_key_compromised(
                key,
                by=request.user,
                since=form.cleaned_data["since"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request, f"Key marked compromised; {count} credential(s) revoked."
            )
            return redirect("credentials:issuer", slug=organization.slug)
    return render(
        request,
        "credentials/key_compromise.html",
        {"organization": organization, "key": key, "form": form},
    )


AWARDS_PER_PAGE = 25


class CappedPaginator(Paginator):
    """Counts at most `cap` rows and a page past them: an organization of a
    state system has millions of awards, and counting them all on every page
    reads them all. Past the cap the page says "more than"; a search narrows."""

    cap = 10_000

    @cached_property
    def count(self) -> int:
        return self.object_list.count_up_to(self.cap + 1)

    @property
    def is_capped(self) -> bool:
        return self.count > self.cap


@login_required
@require_GET
def manage_awards(request: HttpRequest, slug: str) -> HttpResponse:
    """An admin's list of the organization's awards, searchable, with actions."""
    organization = get_organization_for(request.user, slug, Role.ADMIN)
    filters = {
        "q": request.GET.get("q", "").strip(),
        "status": request.GET.get("status", ""),
        "kind": request.GET.get("kind", ""),
    }
    awards = award_selectors.OrganizationAwardList(
        organization,
        query=filters["q"],
        status=filters["status"],
        kind=filters["kind"],
    )
    # Counted on the awards alone (no join to the learners for up to the cap);
    # the page's rows read as AwardRow.
    page = CappedPaginator(awards, AWARDS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "credentials/award_manage.html",
        {
            "organization": organization,
            "page": page,
            "filters": filters,
            "filtered": any(filters.values()),
            "statuses": [(s, s.capitalize()) for s in award_selectors.AWARD_STATUSES],
            "kinds": Award.Kind.choices,
            "query_string": urlencode({k: v for k, v in filters.items() if v}),
        },
    )


_STATUS_ACTIONS = {
    "revoke": (services.revoke_award, "Revoke", "revoked"),
    "suspend": (services.suspend_award, "Suspend", "suspended"),
    "reinstate": (services.reinstate_award, "Reinstate", "reinstated"),
}


@login_required
@require_http_methods(["GET", "POST"])
def change_status(request: HttpRequest, uuid, action: str) -> HttpResponse:
    """Revoke, suspend or reinstate, with a reason, after a confirmation."""
    award = permissions.get_award_for_managing(request.user, uuid)
    service, verb, done = _STATUS_ACTIONS[action]
    form = StatusChangeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            service(award, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    form.add_error(field, errors)
            else:
                form.add_error(None, error.messages)
        else:
            messages.success(
                request, f"“{award.achievement_name}” is {done}; the learner is told."
            )
            return redirect(award)
    return render(
        request,
        "credentials/award_status_form.html",
        {"award": award, "form": form, "verb": verb, "action": action},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@login_required
def reissue(request: HttpRequest, uuid) -> HttpResponse:
    award = permissions.get_award_for_managing(request.user, uuid)
    try:
        new = services.reissue_award(award, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(award)
    messages.success(
        request, "A new credential was issued in place of the revoked one."
    )
    return redirect(new)


@login_required
def my_credentials(request: HttpRequest) -> HttpResponse:
    awards = selectors.learner_awards(request.user)
    return render(
        request,
        "credentials/award_list.html",
        {
            "awards": awards,
            "organizations": Organization.objects.filter(
                awards__in=awards.filter(revoked_at__isnull=True)
            ).distinct(),
            "record_url": request.build_absolute_uri(
                reverse(
                    "credentials:public-record",
                    args=[selectors.public_record_token(request.user)],
                )
            ),
        },
    )


@require_POST
@login_required
def set_visibility(request: HttpRequest, uuid) -> HttpResponse:
    award = permissions.get_award_for_owner(request.user, uuid)
    services.set_award_visibility(award, is_public=request.POST.get("public") == "1")
    return redirect("credentials:mine")


@require_GET
def public_record(request: HttpRequest, token: str) -> HttpResponse:
    """The awards a learner chose to show, at a link only they hand out."""
    learner = selectors.learner_for_record_token(token)
    if learner is None:
        raise Http404("No public record has this address.")
    return render(
        request,
        "credentials/public_record.html",
        {
            "learner_name": learner.get_full_name() or learner.get_username(),
            "awards": selectors.public_awards(learner),
        },
    )


@login_required
@require_GET
def learner_record(request: HttpRequest, slug: str) -> JsonResponse:
    """The learner's own signed CLR 2.0 record of their credentials from one issuer."""
    organization = get_object_or_404(Organization, slug=slug)
    try:
        record = services.learner_clr(request.user, organization)
    except ValidationError as error:
        raise Http404(" ".join(error.messages)) from error
    response = JsonResponse(record, json_dumps_params={"indent": 2})
    response["Content-Disposition"] = (
        f'attachment; filename="clr-{organization.slug}.json"'
    )
    return response


@require_GET
def endorsement_json(request: HttpRequest, uuid) -> JsonResponse:
    endorsement = get_object_or_404(Endorsement, uuid=uuid)
    return _public_json(endorsement.credential, f"{endorsement.uuid}.json")


@login_required
@require_http_methods(["GET", "POST"])
def endorsements(request: HttpRequest, slug: str) -> HttpResponse:
    """Approved reviews of the organization's boards, endorsed or waiting to be."""
    organization = get_organization_for(request.user, slug, Role.ADMIN)
    errors: dict[int, list[str]] = {}
    if request.method == "POST":
        review = get_object_or_404(
            selectors.endorsable_reviews(organization),
            pk=request.POST.get("review"),
        )
        try:
            services.endorse_approved_review(
                review, by=request.user, comment=request.POST.get("comment", "")
            )
        except ValidationError as error:
            errors[review.pk] = error.messages
        else:
            messages.success(request, f"Endorsement of {review.version_label} issued.")
            return redirect("credentials:endorsements", slug=organization.slug)
    return render(
        request,
        "credentials/endorsements.html",
        {
            "organization": organization,
            "reviews": selectors.endorsable_reviews(organization),
            "errors": errors,
        },
        status=400 if errors else 200,
    )


@require_GET
def issuer_logo(request: HttpRequest, slug: str) -> HttpResponse:
    organization = get_object_or_404(Organization, slug=slug)
    logo, content_type = selectors.issuer_logo(organization)
    if not logo:
        raise Http404("This issuer has no logo.")
    response = HttpResponse(logo, content_type=content_type)
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_POST
@login_required
def upload_logo(request: HttpRequest, slug: str) -> HttpResponse:
    organization = get_organization_for(request.user, slug, Role.ADMIN)
    upload = request.FILES.get("logo")
    try:
        if upload is None:
            raise ValidationError({"logo": "Choose a PNG or JPEG file."})
        if upload.size > MAX_LOGO_BYTES:
            raise ValidationError({"logo": "A logo may be at most 512 KB."})
        services.set_issuer_logo(organization, by=request.user, content=upload.read())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, "Logo saved. Certificates are being rendered again with it."
        )
    return redirect("credentials:issuer", slug=organization.slug)


@require_POST
@login_required
def change_signing(request: HttpRequest, slug: str) -> HttpResponse:
    organization = get_organization_for(request.user, slug, Role.ADMIN)
    try:
        services.set_signing_options(
            organization,
            by=request.user,
            proof_format=request.POST.get("proof_format", ""),
            suspension_entry=request.POST.get("suspension_entry") == "on",
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Credentials issued from now on are signed this way.")
    return redirect("credentials:issuer", slug=organization.slug)
