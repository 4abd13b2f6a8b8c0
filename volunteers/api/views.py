"""The volunteers API: thin views over the services and selectors."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.helpers import paginated, validated
from core.api.permissions import IsLibraryStaff
from core.exceptions import ErrorCode, PermissionDenied
from core.selectors import branches_managed_by
from volunteers import selectors, services
from volunteers.api import serializers as s


def _managed_branches(user: Any) -> set[int] | str:
    """The branches whose people's ids ``user`` may read: ``"all"`` for administrators."""
    if not user.is_authenticated or not user.is_library_staff:
        return set()
    if user.is_administrator:
        return "all"
    return set(branches_managed_by(user=user).values_list("pk", flat=True))


def _room(pk: int | None) -> Any:
    return selectors.room_get(pk=pk) if pk is not None else None


# --- Shifts -------------------------------------------------------------------------------


class ShiftListApi(APIView):
    """GET: coming shifts, filtered. POST (staff): a shift, or a series with ``rrule``."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[s.ShiftFilterInput], responses={200: s.ShiftOutput(many=True)})
    def get(self, request: Request) -> Response:
        f = validated(s.ShiftFilterInput, request.query_params)
        qs = selectors.shift_list(
            branch=f.get("branch"),
            activity=f.get("activity"),
            start_after=f.get("start_after"),
            start_before=f.get("start_before"),
            open_only=f["open"],
        )
        return paginated(request, self, qs, s.ShiftOutput)

    @extend_schema(request=s.ShiftCreateInput, responses={201: s.ShiftOutput})
    def post(self, request: Request) -> Response:
        if not request.user.is_library_staff:
            raise PermissionDenied(_staff_only())
        data = validated(s.ShiftCreateInput, request.data)
        activity = selectors.activity_get(pk=data["activity"])
        room = _room(data.get("room"))
        if data["rrule"]:
            series = services.shift_series_create(
                actor=request.user,
                activity=activity,
                start=data["start"],
                end=data["end"],
                rrule=data["rrule"],
                needed=data["needed"],
                room=room,
            )
            shifts = selectors.shift_list().filter(series=series)
            return Response(
                {"series": series.pk, "shifts": s.ShiftOutput(shifts, many=True).data},
                status=status.HTTP_201_CREATED,
            )
        shift = services.shift_create(
            actor=request.user,
            activity=activity,
            start=data["start"],
            end=data["end"],
            needed=data["needed"],
            room=room,
            note=data["note"],
        )
        return Response(
            s.ShiftOutput(selectors.shift_get(pk=shift.pk)).data, status=status.HTTP_201_CREATED
        )


def _staff_only() -> str:
    return gettext("Only library staff may do this.")


class ShiftDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: s.ShiftOutput})
    def get(self, request: Request, pk: int) -> Response:
        return Response(s.ShiftOutput(selectors.shift_get(pk=pk)).data)

    @extend_schema(request=s.ShiftUpdateInput, responses={200: s.ShiftOutput})
    def patch(self, request: Request, pk: int) -> Response:
        if not request.user.is_library_staff:
            raise PermissionDenied(_staff_only())
        shift = selectors.shift_get(pk=pk)
        data = validated(s.ShiftUpdateInput, request.data)
        if data.get("cancelled"):
            services.shift_cancel(actor=request.user, shift=shift)
        else:
            changes: dict[str, Any] = {
                k: data[k] for k in ("start", "end", "needed", "note") if k in data
            }
            if "room" in data:
                changes["room"] = _room(data["room"])
            services.shift_update(actor=request.user, shift=shift, **changes)
        return Response(s.ShiftOutput(selectors.shift_get(pk=pk)).data)


class ShiftSignupApi(APIView):
    """POST: sign up for a shift (staff may sign up a volunteer with ``volunteer``)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=s.SignupCreateInput, responses={201: s.SignupOutput})
    def post(self, request: Request, pk: int) -> Response:
        data = validated(s.SignupCreateInput, request.data)
        shift = selectors.shift_get(pk=pk)
        volunteer = selectors.user_get(pk=data["volunteer"]) if data.get("volunteer") else None
        signup = services.shift_signup(actor=request.user, shift=shift, volunteer=volunteer)
        return Response(s.SignupOutput(signup).data, status=status.HTTP_201_CREATED)


class ShiftRosterApi(APIView):
    """GET (staff of the activity): who is signed up for a shift."""

    permission_classes = [IsLibraryStaff]

    @extend_schema(responses={200: s.ShiftRosterOutput})
    def get(self, request: Request, pk: int) -> Response:
        shift = selectors.shift_get(pk=pk)
        if not services.can_manage_activity(user=request.user, activity=shift.activity):
            raise PermissionDenied(_staff_only())
        rows = [
            {
                "id": signup.pk,
                "volunteer": signup.volunteer_id,
                "name": signup.volunteer.name if signup.volunteer else "",
                "status": signup.status,
                "attended": signup.attended,
                "hours": signup.hours,
                "reported_hours": signup.reported_hours,
            }
            for signup in selectors.shift_roster(shift=shift)
        ]
        return Response({"shift": shift.pk, "signups": rows})


# --- Sign-ups ----------------------------------------------------------------------------


class MySignupListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: s.SignupDetailOutput(many=True)})
    def get(self, request: Request) -> Response:
        qs = selectors.signup_list_for(volunteer=request.user)
        return paginated(request, self, qs, s.SignupDetailOutput)


class SignupWithdrawApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: s.SignupOutput})
    def post(self, request: Request, pk: int) -> Response:
        signup = selectors.signup_get_for(actor=request.user, pk=pk)
        signup = services.shift_withdraw(actor=request.user, signup=signup)
        return Response(s.SignupOutput(signup).data)


class SignupReportApi(APIView):
    """POST (the volunteer): "I came", with the hours if they differ from the shift's."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=s.AttendanceReportInput, responses={200: s.SignupDetailOutput})
    def post(self, request: Request, pk: int) -> Response:
        signup = selectors.signup_get_for(actor=request.user, pk=pk)  # 404 before 400
        data = validated(s.AttendanceReportInput, request.data)
        signup = services.attendance_report(
            actor=request.user, signup=signup, hours=data.get("hours")
        )
        return Response(
            s.SignupDetailOutput(selectors.signup_get_for(actor=request.user, pk=pk)).data
        )


class SignupAttendanceApi(APIView):
    """POST (staff): record attendance; hours default to the report or the shift's length."""

    permission_classes = [IsLibraryStaff]

    @extend_schema(request=s.AttendanceInput, responses={200: s.SignupDetailOutput})
    def post(self, request: Request, pk: int) -> Response:
        signup = selectors.signup_get_for(actor=request.user, pk=pk)  # 404 before 400
        data = validated(s.AttendanceInput, request.data)
        services.attendance_record(
            actor=request.user, signup=signup, attended=data["attended"], hours=data.get("hours")
        )
        return Response(
            s.SignupDetailOutput(selectors.signup_get_for(actor=request.user, pk=pk)).data
        )


class SignupHoursApi(APIView):
    """POST (staff): correct the hours, with a note."""

    permission_classes = [IsLibraryStaff]

    @extend_schema(request=s.HoursCorrectionInput, responses={200: s.SignupDetailOutput})
    def post(self, request: Request, pk: int) -> Response:
        signup = selectors.signup_get_for(actor=request.user, pk=pk)  # 404 before 400
        data = validated(s.HoursCorrectionInput, request.data)
        services.hours_correct(
            actor=request.user, signup=signup, hours=data["hours"], note=data["note"]
        )
        return Response(
            s.SignupDetailOutput(selectors.signup_get_for(actor=request.user, pk=pk)).data
        )


# --- Profiles -----------------------------------------------------------------------------


class MeApi(APIView):
    """GET: my volunteer profile, certificate status and expiry, hours this year."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: s.VolunteerProfileOutput})
    def get(self, request: Request) -> Response:
        profile = selectors.volunteer_profile_for(user=request.user)
        if profile is None:
            raise PermissionDenied(_not_volunteer(), code=ErrorCode.NOT_A_VOLUNTEER)
        data = s.VolunteerProfileOutput(profile).data
        data["hours_this_year"] = str(selectors.hours_this_year(volunteer=request.user))
        return Response(data)

    @extend_schema(request=s.VolunteerProfileUpdateInput, responses={200: s.VolunteerProfileOutput})
    def patch(self, request: Request) -> Response:
        """Change my skills, languages and availability notes."""
        profile = selectors.volunteer_profile_for(user=request.user)
        if profile is None:
            raise PermissionDenied(_not_volunteer(), code=ErrorCode.NOT_A_VOLUNTEER)
        data = validated(s.VolunteerProfileUpdateInput, request.data, partial=True)
        services.volunteer_update(actor=request.user, profile=profile, data=dict(data))
        return self.get(request)


def _not_volunteer() -> str:
    return gettext("You are not registered as a volunteer.")


class VolunteerListApi(APIView):
    """GET (staff): the volunteers at my branches. POST: make an account a volunteer."""

    permission_classes = [IsLibraryStaff]

    @extend_schema(responses={200: s.VolunteerProfileOutput(many=True)})
    def get(self, request: Request) -> Response:
        return paginated(
            request,
            self,
            selectors.volunteer_list_for(actor=request.user),
            s.VolunteerProfileOutput,
        )

    @extend_schema(request=s.VolunteerCreateInput, responses={201: s.VolunteerProfileOutput})
    def post(self, request: Request) -> Response:
        data = validated(s.VolunteerCreateInput, request.data)
        profile = services.volunteer_enrol(
            actor=request.user,
            user=selectors.user_by_email(email=data["email"]),
            branches=selectors.branches_by_slug(slugs=data["branches"]),
            agreement_signed_on=data.get("agreement_signed_on"),
            skills=data["skills"],
            languages=data["languages"],
        )
        profile = selectors.volunteer_get_for(actor=request.user, pk=profile.pk)
        return Response(s.VolunteerProfileOutput(profile).data, status=status.HTTP_201_CREATED)


class VolunteerCertificateApi(APIView):
    permission_classes = [IsLibraryStaff]

    @extend_schema(request=s.ChildCertificateInput, responses={200: s.VolunteerProfileOutput})
    def post(self, request: Request, pk: int) -> Response:
        profile = selectors.volunteer_get_for(actor=request.user, pk=pk)  # 404 before 400
        data = validated(s.ChildCertificateInput, request.data)
        services.certificate_record(
            actor=request.user,
            profile=profile,
            status=data["status"],
            checked_on=data.get("checked_on"),
            renewal_years=data.get("renewal_years"),
        )
        return Response(
            s.VolunteerProfileOutput(selectors.volunteer_get_for(actor=request.user, pk=pk)).data
        )


class VolunteerStatusApi(APIView):
    permission_classes = [IsLibraryStaff]

    @extend_schema(request=s.VolunteerStatusInput, responses={200: s.VolunteerProfileOutput})
    def post(self, request: Request, pk: int) -> Response:
        profile = selectors.volunteer_get_for(actor=request.user, pk=pk)  # 404 before 400
        data = validated(s.VolunteerStatusInput, request.data)
        services.volunteer_set_status(actor=request.user, profile=profile, status=data["status"])
        return Response(
            s.VolunteerProfileOutput(selectors.volunteer_get_for(actor=request.user, pk=pk)).data
        )


# --- Activities -----------------------------------------------------------------------------


class ActivityListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: s.VolunteerActivityOutput(many=True)},
        description="``coordinator`` (a user id) is null unless you manage the branch.",
    )
    def get(self, request: Request) -> Response:
        qs = selectors.activity_list(branch=request.query_params.get("branch") or None)
        context = {"managed_branches": _managed_branches(request.user)}
        return paginated(request, self, qs, s.VolunteerActivityOutput, context=context)

    @extend_schema(
        request=s.VolunteerActivityCreateInput, responses={201: s.VolunteerActivityOutput}
    )
    def post(self, request: Request) -> Response:
        if not request.user.is_library_staff:
            raise PermissionDenied(_staff_only())
        data = validated(s.VolunteerActivityCreateInput, request.data)
        coordinator = (
            selectors.user_get(pk=data["coordinator"]) if data.get("coordinator") else None
        )
        activity = services.activity_create(
            actor=request.user,
            branch=selectors.branches_by_slug(slugs=[data["branch"]])[0],
            name=data["name"],
            description=data["description"],
            tracks=selectors.tracks_by_slug(slugs=data["tracks"]),
            audiences=selectors.audiences_by_slug(slugs=data["audiences"]),
            coordinator=coordinator,
            children_under_15=data["children_under_15"],
            withdraw_deadline_hours=data["withdraw_deadline_hours"],
        )
        activity = selectors.activity_list().get(pk=activity.pk)
        context = {"managed_branches": _managed_branches(request.user)}
        return Response(
            s.VolunteerActivityOutput(activity, context=context).data,
            status=status.HTTP_201_CREATED,
        )


# --- Session proposals ----------------------------------------------------------------------


def _proposal_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    branch = selectors.branches_by_slug(slugs=[data["branch"]])[0]
    return {
        "title": data["title"],
        "description": data["description"],
        "branch": branch,
        "room": _room(data.get("room")),
        "start": data["start"],
        "end": data["end"],
        "rrule": data["rrule"],
        "tracks": selectors.tracks_by_slug(slugs=data["tracks"]),
        "audiences": selectors.audiences_by_slug(slugs=data["audiences"]),
        "capacity": data.get("capacity"),
        "children_under_15": data["children_under_15"],
    }


class ProposalListApi(APIView):
    """GET: my proposals (staff: their branches'). POST (a volunteer): propose a session."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: s.SessionProposalOutput(many=True)})
    def get(self, request: Request) -> Response:
        qs = selectors.proposal_list_for(actor=request.user)
        wanted = request.query_params.get("status")
        if wanted:
            qs = qs.filter(status=wanted)
        return paginated(request, self, qs, s.SessionProposalOutput)

    @extend_schema(request=s.SessionProposalInput, responses={201: s.SessionProposalOutput})
    def post(self, request: Request) -> Response:
        data = validated(s.SessionProposalInput, request.data)
        proposal = services.proposal_submit(actor=request.user, **_proposal_kwargs(data))
        proposal = selectors.proposal_get_for(actor=request.user, pk=proposal.pk)
        return Response(s.SessionProposalOutput(proposal).data, status=status.HTTP_201_CREATED)


class ProposalDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: s.SessionProposalOutput})
    def get(self, request: Request, pk: int) -> Response:
        return Response(
            s.SessionProposalOutput(selectors.proposal_get_for(actor=request.user, pk=pk)).data
        )

    @extend_schema(request=s.SessionProposalInput, responses={200: s.SessionProposalOutput})
    def patch(self, request: Request, pk: int) -> Response:
        proposal = selectors.proposal_get_for(actor=request.user, pk=pk)
        data = validated(s.SessionProposalInput, request.data, partial=True)
        changes: dict[str, Any] = {
            k: data[k]
            for k in (
                "title",
                "description",
                "start",
                "end",
                "rrule",
                "capacity",
                "children_under_15",
            )
            if k in data
        }
        if "branch" in data:
            changes["branch"] = selectors.branches_by_slug(slugs=[data["branch"]])[0]
        if "room" in data:
            changes["room"] = _room(data["room"])
        if "tracks" in data:
            changes["tracks"] = selectors.tracks_by_slug(slugs=data["tracks"])
        if "audiences" in data:
            changes["audiences"] = selectors.audiences_by_slug(slugs=data["audiences"])
        services.proposal_update(actor=request.user, proposal=proposal, data=changes)
        return Response(
            s.SessionProposalOutput(selectors.proposal_get_for(actor=request.user, pk=pk)).data
        )


class ProposalApproveApi(APIView):
    permission_classes = [IsLibraryStaff]

    @extend_schema(request=None, responses={200: s.SessionProposalOutput})
    def post(self, request: Request, pk: int) -> Response:
        proposal = selectors.proposal_get_for(actor=request.user, pk=pk)
        services.proposal_approve(actor=request.user, proposal=proposal)
        return Response(
            s.SessionProposalOutput(selectors.proposal_get_for(actor=request.user, pk=pk)).data
        )


class ProposalRejectApi(APIView):
    permission_classes = [IsLibraryStaff]

    @extend_schema(request=s.ProposalReasonInput, responses={200: s.SessionProposalOutput})
    def post(self, request: Request, pk: int) -> Response:
        proposal = selectors.proposal_get_for(actor=request.user, pk=pk)  # 404 before 400
        data = validated(s.ProposalReasonInput, request.data)
        services.proposal_reject(actor=request.user, proposal=proposal, reason=data["reason"])
        return Response(
            s.SessionProposalOutput(selectors.proposal_get_for(actor=request.user, pk=pk)).data
        )


class ProposalRequestChangesApi(APIView):
    permission_classes = [IsLibraryStaff]

    @extend_schema(request=s.ProposalNoteInput, responses={200: s.SessionProposalOutput})
    def post(self, request: Request, pk: int) -> Response:
        proposal = selectors.proposal_get_for(actor=request.user, pk=pk)  # 404 before 400
        data = validated(s.ProposalNoteInput, request.data)
        services.proposal_request_changes(actor=request.user, proposal=proposal, note=data["note"])
        return Response(
            s.SessionProposalOutput(selectors.proposal_get_for(actor=request.user, pk=pk)).data
        )


class ProposalWithdrawApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: s.SessionProposalOutput})
    def post(self, request: Request, pk: int) -> Response:
        proposal = selectors.proposal_get_for(actor=request.user, pk=pk)
        services.proposal_withdraw(actor=request.user, proposal=proposal)
        return Response(
            s.SessionProposalOutput(selectors.proposal_get_for(actor=request.user, pk=pk)).data
        )


# --- Hosted sessions -----------------------------------------------------------------------


class HostedSessionRegistrationsApi(APIView):
    """GET (the host of a session, or its branch's staff): the registrations of that event."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: s.HostedRegistrationsOutput})
    def get(self, request: Request, event_pk: int) -> Response:
        event, registrations = selectors.hosted_event_registrations(actor=request.user, pk=event_pk)
        rows = [
            {
                "id": reg.pk,
                "name": reg.user.name if reg.user else "",
                "seats": reg.seats,
                "status": reg.status,
                "checked_in": reg.checked_in_at is not None,
            }
            for reg in registrations
        ]
        return Response({"event": event.pk, "title": event.title, "registrations": rows})


class HostedSessionCheckInApi(APIView):
    """POST (the host or staff): check a confirmed registration in."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: s.HostedCheckInOutput})
    def post(self, request: Request, event_pk: int, registration_pk: int) -> Response:
        reg = services.session_check_in(
            actor=request.user, event_pk=event_pk, registration_pk=registration_pk
        )
        return Response({"id": reg.pk, "status": reg.status, "checked_in": True})
