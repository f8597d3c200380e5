"""LTI 1.3 pages: the protocol endpoints a platform calls (login, launch,
JWKS), the admin's registration pages, and the instructor's course page."""

from urllib.parse import urlsplit

from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from pylti1p3.deep_link import DeepLink
from pylti1p3.deep_link_resource import DeepLinkResource

from accounts.models import Organization
from integrations.lti import ags, launch, registration, syncs, writeback
from integrations.lti import dynamic_registration as dynamic
from integrations.lti.forms import (
    AwardRuleForm,
    CourseSitesForm,
    DeepLinkForm,
    LetterScaleForm,
    PlatformForm,
)
from integrations.lti.keys import tool_jwks
from integrations.lti.middleware import FRAME_ORIGIN_KEY, allow_framing, origins
from integrations.lti.protocol import (
    STORAGE_CHECKED,
    LaunchRefused,
    login_redirect,
    named_platform,
    unverified_platform,
    validate_launch,
)
from integrations.lti.rules import format_scale, scale_of
from integrations.lti.selectors import (
    course_progress,
    course_rules,
    deep_link_choices,
    gradebook_columns,
    pathway_titles,
)
from integrations.lti.services_client import PlatformUnavailable
from integrations.models import (
    LtiContext,
    LtiGradebookColumn,
    LtiPlatform,
    LtiSync,
)
from pathways.models import Pathway

DEEP_LINK_KEY = "lti_deep_link"
STORAGE_TARGET = "lti_storage_target"


def _organization(slug: str) -> Organization:
    return get_object_or_404(Organization, slug=slug)


def _manager_organization(user, slug: str) -> Organization:
    organization = _organization(slug)
    if not registration.can_manage_lti(user, organization):
        raise PermissionDenied
    return organization


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _platform_origins(platform: LtiPlatform, *urls: str) -> list[str]:
    """Where the platform's pages live: its issuer, its login URL, and the
    return URLs a launch names."""
    return [platform.issuer, platform.auth_login_url, *platform.frame_origins, *urls]


def _refused(request: HttpRequest, organization: Organization) -> HttpResponse:
    return render(
        request,
        "integrations/lti_refused.html",
        {"organization": organization},
        status=400,
    )


def _teaching_context(user, pk: int) -> LtiContext:
    """The course, for its instructors and the organization's LTI admins; a
    404 for everyone else, who must not learn it exists."""
    context = get_object_or_404(
        LtiContext.objects.select_related("platform__organization"), pk=pk
    )
    if not ags.can_teach(user, context):
        raise Http404
    return context


@require_GET
def jwks(request: HttpRequest, slug: str) -> JsonResponse:
    return JsonResponse(tool_jwks(_organization(slug)))


@csrf_exempt
@xframe_options_exempt
@require_http_methods(["GET", "POST"])
def login_initiation(request: HttpRequest, slug: str) -> HttpResponse:
    organization = _organization(slug)
    source = request.POST if request.method == "POST" else request.GET
    platform = named_platform(
        organization, source.get("iss", ""), source.get("client_id", "")
    )
    if platform is not None:
        # Only its own frames: the storage page, or why the login failed.
        allow_framing(request, *_platform_origins(platform))
    launch_url = request.build_absolute_uri(
        reverse("integrations:lti-launch", args=[slug])
    )
    try:
        following = login_redirect(request, organization, launch_url)
    except LaunchRefused:
        return _refused(request, organization)
    target = source.get(STORAGE_TARGET)
    if not target:
        return following.apply(redirect(following.url))
    # The platform offers its storage: keep the state there too, then go on.
    return following.apply(
        render(
            request,
            "integrations/lti_storage.html",
            {
                "put": True,
                "target": target,
                "state": following.state,
                "origin": _origin(following.url),
                "next_url": following.url,
            },
        )
    )


@csrf_exempt
@xframe_options_exempt
@require_POST
def launch_view(request: HttpRequest, slug: str) -> HttpResponse:
    organization = _organization(slug)
    state = request.POST.get("state", "")
    target = request.POST.get(STORAGE_TARGET, "")
    claimed = unverified_platform(organization, request.POST.get("id_token", ""))
    if claimed is not None:
        # The storage page and a refusal show in the platform's frame.
        allow_framing(request, *_platform_origins(claimed))
    if (
        target
        and request.POST.get(STORAGE_CHECKED) != "1"
        and not request.COOKIES.get(f"lti1p3-{state}")
    ):
        # No state cookie reached this frame: ask the platform's storage.
        if claimed is None:
            return _refused(request, organization)
        return render(
            request,
            "integrations/lti_storage.html",
            {
                "put": False,
                "target": target,
                "state": state,
                "origin": _origin(claimed.auth_login_url),
                "id_token": request.POST.get("id_token", ""),
                "launch_url": request.path,
            },
        )
    try:
        message, claims, platform = validate_launch(request, organization)
    except LaunchRefused:
        return _refused(request, organization)
    identity, context, link, teaching = launch.record_launch(platform, claims)
    login(request, identity.user, backend="django.contrib.auth.backends.ModelBackend")
    presentation = claims.get(launch.CLAIM + "launch_presentation") or {}
    deep_linking = claims.get(launch.DEEP_LINKING_CLAIM) or {}
    request.session[FRAME_ORIGIN_KEY] = origins(
        *_platform_origins(
            platform,
            str(presentation.get("return_url") or ""),
            str(deep_linking.get("deep_link_return_url") or ""),
        )
    )
    if context is not None:
        syncs.queue_sync(context, trigger=LtiSync.Trigger.LAUNCH)
    if message.is_deep_link_launch():
        request.session[DEEP_LINK_KEY] = {
            "platform": platform.pk,
            "deployment_id": claims[launch.CLAIM + "deployment_id"],
            "settings": claims[launch.DEEP_LINKING_CLAIM],
        }
        return redirect("integrations:lti-deep-link", slug)
    if teaching and context is not None:
        return redirect("integrations:lti-course", context.pk)
    return redirect(launch.landing_url(link))


@login_required
@require_http_methods(["GET", "POST"])
def deep_link(request: HttpRequest, slug: str) -> HttpResponse:
    organization = _organization(slug)
    pending = request.session.get(DEEP_LINK_KEY)
    if not pending:
        raise Http404
    platform = get_object_or_404(
        LtiPlatform, pk=pending["platform"], organization=organization
    )
    choices = deep_link_choices(organization)
    form = DeepLinkForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        kind, code = form.cleaned_data["target"].split(":", 1)
        title = dict(choices)[form.cleaned_data["target"]]
        resource = (
            DeepLinkResource()
            .set_url(
                request.build_absolute_uri(
                    reverse("integrations:lti-launch", args=[slug])
                )
            )
            .set_title(title)
            .set_custom_params({f"cairn_{kind}": code})
        )
        response_jwt = DeepLink(
            registration.pylti_registration(platform),
            pending["deployment_id"],
            pending["settings"],
        ).get_response_jwt([resource])
        del request.session[DEEP_LINK_KEY]
        return render(
            request,
            "integrations/lti_deep_link_return.html",
            {
                "return_url": pending["settings"]["deep_link_return_url"],
                "jwt": response_jwt,
                "title": title,
            },
        )
    return render(
        request,
        "integrations/lti_deep_link.html",
        {"organization": organization, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def platform_list(request: HttpRequest, slug: str) -> HttpResponse:
    organization = _manager_organization(request.user, slug)
    form = PlatformForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            registration.register_platform(
                organization, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("integrations:lti-platforms", slug)
    return render(
        request,
        "integrations/lti_platform_list.html",
        {
            "organization": organization,
            "platforms": organization.lti_platforms.all(),
            "form": form,
            "urls": registration.tool_urls(organization, request.build_absolute_uri),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def platform_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A registered platform, and the letter grades its scores are read as."""
    organization = _manager_organization(request.user, slug)
    platform = get_object_or_404(LtiPlatform, pk=pk, organization=organization)
    form = LetterScaleForm(
        request.POST or None,
        initial={"scale": format_scale(scale_of(platform.letter_scale))},
    )
    if request.method == "POST" and form.is_valid():
        try:
            registration.set_letter_scale(
                platform, by=request.user, scale=form.cleaned_data["scale"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("integrations:lti-platform", slug, platform.pk)
    return render(
        request,
        "integrations/lti_platform_detail.html",
        {
            "organization": organization,
            "platform": platform,
            "scale": scale_of(platform.letter_scale),
            "form": form,
            "sites_form": CourseSitesForm(
                initial={"addresses": "\n".join(platform.frame_origins)}
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def platform_sites(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Where the platform's course pages live, if not at its issuer."""
    organization = _manager_organization(request.user, slug)
    platform = get_object_or_404(LtiPlatform, pk=pk, organization=organization)
    form = CourseSitesForm(
        request.POST or None,
        initial={"addresses": "\n".join(platform.frame_origins)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            registration.set_frame_origins(
                platform, by=request.user, addresses=form.cleaned_data["addresses"]
            )
        except ValidationError as error:
            form.add_error("addresses", error.message_dict["addresses"])
        else:
            return redirect("integrations:lti-platform", slug, platform.pk)
    return render(
        request,
        "integrations/lti_platform_sites.html",
        {"organization": organization, "platform": platform, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def platform_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organization = _manager_organization(request.user, slug)
    platform = get_object_or_404(LtiPlatform, pk=pk, organization=organization)
    registration.remove_platform(platform, by=request.user)
    return redirect("integrations:lti-platforms", slug)


@login_required
@require_http_methods(["GET", "POST"])
def course(request: HttpRequest, pk: int) -> HttpResponse:
    context = _teaching_context(request.user, pk)
    organization = context.platform.organization
    problem = ""
    try:
        items = ags.line_items(context)
    except PlatformUnavailable:
        items, problem = [], "The learning platform did not list the course's grades."
    letters = [letter for letter, _ in scale_of(context.platform.letter_scale)]
    form = AwardRuleForm(
        request.POST or None,
        organization=organization,
        line_items=items,
        letters=letters,
    )
    if request.method == "POST" and form.is_valid():
        labels = dict(form.fields["line_items"].choices)
        try:
            ags.add_award_rule(
                context,
                by=request.user,
                module=form.cleaned_data["module"],
                line_items={i: labels[i] for i in form.cleaned_data["line_items"]},
                min_percent=form.cleaned_data["min_percent"],
                min_letter=form.cleaned_data["min_letter"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            syncs.queue_sync(context, trigger=LtiSync.Trigger.RULE)
            return redirect("integrations:lti-course", context.pk)
    return render(
        request,
        "integrations/lti_course.html",
        {
            "context": context,
            "progress": course_progress(context),
            "rules": course_rules(context),
            "form": form,
            "problem": problem,
            "syncs": syncs.recent_syncs(context),
            "columns": gradebook_columns(context),
            "can_write_back": writeback.can_write_back(context),
        },
    )


@login_required
@require_POST
def course_sync(request: HttpRequest, pk: int) -> HttpResponse:
    context = _teaching_context(request.user, pk)
    syncs.queue_sync(context, trigger=LtiSync.Trigger.INSTRUCTOR)
    return redirect("integrations:lti-course", context.pk)


@login_required
@require_POST
def column_on(request: HttpRequest, pk: int, pathway: int) -> HttpResponse:
    context = _teaching_context(request.user, pk)
    found = get_object_or_404(
        Pathway, pk=pathway, organization=context.platform.organization
    )
    try:
        writeback.switch_on_column(context, found, by=request.user)
    except ValidationError as error:
        problem, status = " ".join(error.messages), 400
    except PlatformUnavailable:
        problem = "The learning platform did not accept the gradebook column."
        status = 502
    else:
        return redirect("integrations:lti-course", context.pk)
    return render(
        request,
        "integrations/lti_column_problem.html",
        {"context": context, "problem": problem},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def column_off(request: HttpRequest, pk: int, pathway: int) -> HttpResponse:
    """GET asks the instructor to confirm; POST switches the column off."""
    context = _teaching_context(request.user, pk)
    column = get_object_or_404(
        LtiGradebookColumn.objects.select_related("pathway"),
        context=context,
        pathway_id=pathway,
        is_on=True,
    )
    if request.method == "POST":
        writeback.switch_off_column(column, by=request.user)
        return redirect("integrations:lti-course", context.pk)
    title = pathway_titles(context.platform.organization).get(
        column.pathway_id, column.pathway.code
    )
    return render(
        request,
        "integrations/lti_column_off.html",
        {"context": context, "column": column, "title": title},
    )


@xframe_options_exempt
@login_required
@require_http_methods(["GET", "POST"])
def dynamic_registration(request: HttpRequest, slug: str) -> HttpResponse:
    """The platform opens this page; an admin of the organization confirms."""
    organization = _manager_organization(request.user, slug)
    source = request.POST if request.method == "POST" else request.GET
    openid_configuration = source.get("openid_configuration", "")
    token = source.get("registration_token", "")
    problem, platform = "", None
    if request.method == "POST":
        try:
            platform = dynamic.register_dynamically(
                organization,
                by=request.user,
                openid_configuration=openid_configuration,
                registration_token=token,
                build=request.build_absolute_uri,
            )
        except ValidationError as error:
            problem = " ".join(error.messages)
    return render(
        request,
        "integrations/lti_dynamic_registration.html",
        {
            "organization": organization,
            "openid_configuration": openid_configuration,
            "registration_token": token,
            "platform": platform,
            "problem": problem,
        },
        status=400 if problem else 200,
    )
