"""Staff pages for enrolling volunteers and for the branches' activities
(``/personale/frivillige/...``). Staff act on their own branches, administrators on all;
another branch's activity is a 404. Thin: forms parse, services write."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.authenticated import AuthenticatedHttpRequest
from core.pages import form_errors
from core.selectors import branches_managed_by, user_get_by_email
from volunteers import selectors, services
from volunteers.forms import ActivityForm, EnrolForm


def _staff(request: AuthenticatedHttpRequest) -> None:
    if not request.user.is_library_staff:
        raise Http404


@login_required
def staff_volunteer_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Make an existing account a volunteer at one or more of the staff member's branches."""
    _staff(request)
    branches = branches_managed_by(user=request.user).order_by("position", "name")
    form = EnrolForm(request.POST or None, branches=branches)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = user_get_by_email(email=data["email"])
        if user is None:
            form.add_error(
                "email",
                _("No account has this e-mail address. Ask the person to create one first."),
            )
        else:
            with form_errors(form):
                services.volunteer_enrol(
                    actor=request.user,
                    user=user,
                    branches=data["branches"],
                    agreement_signed_on=data["agreement_signed_on"],
                    skills=data["skills"],
                    languages=data["languages"],
                )
                messages.success(request, _("%(name)s is now a volunteer.") % {"name": user.name})
                return redirect("volunteers:staff-volunteers")
    return render(request, "volunteers/staff_volunteer_new.html", {"form": form})


@login_required
def staff_activities(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The activities of the staff member's branches."""
    _staff(request)
    branches = branches_managed_by(user=request.user)
    activities = selectors.activity_list().filter(branch__in=branches)
    return render(request, "volunteers/staff_activities.html", {"activities": activities})


@login_required
def staff_activity_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    """Create an activity at one of the staff member's branches, or change one (pk)."""
    _staff(request)
    branches = branches_managed_by(user=request.user).order_by("position", "name")
    activity = None
    if pk is not None:
        activity = selectors.activity_list().filter(branch__in=branches, pk=pk).first()
        if activity is None:
            raise Http404
    form = ActivityForm(
        request.POST or None,
        initial=ActivityForm.initial_from(activity) if activity else None,
        branches=branches,
        editing=activity is not None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with form_errors(form):
            if activity is None:
                services.activity_create(
                    actor=request.user,
                    branch=data["branch"],
                    name=data["name"],
                    description=data["description"],
                    tracks=data["tracks"],
                    audiences=data["audiences"],
                    children_under_15=data["children_under_15"],
                    withdraw_deadline_hours=data["withdraw_deadline_hours"],
                )
            else:
                services.activity_update(
                    actor=request.user,
                    activity=activity,
                    data={
                        key: data[key]
                        for key in (
                            "name",
                            "description",
                            "children_under_15",
                            "withdraw_deadline_hours",
                        )
                    },
                    tracks=data["tracks"],
                    audiences=data["audiences"],
                )
            messages.success(request, _("The activity is saved."))
            return redirect("volunteers:staff-activities")
    return render(
        request, "volunteers/staff_activity_form.html", {"form": form, "activity": activity}
    )
