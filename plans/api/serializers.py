"""Input and output shapes of the plan API (paths and field names are contracts)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.models import Branch, Partner, Track, User
from events.models import Event, EventSeries
from plans.models import QUARTERS, Initiative, InitiativeStatus, Plan
from plans.selectors import Cell, Coverage


class TargetOutputSerializer(serializers.Serializer):
    track = serializers.CharField(source="track.slug", read_only=True)
    branch = serializers.CharField(source="branch.slug", read_only=True, allow_null=True)
    min_initiatives = serializers.IntegerField()
    min_events = serializers.IntegerField(allow_null=True)
    min_attendance = serializers.IntegerField(allow_null=True)


class PlanOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    year = serializers.IntegerField()
    period = serializers.CharField()
    title = serializers.CharField()
    is_draft = serializers.BooleanField()
    targets = TargetOutputSerializer(many=True)


class InitiativeOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    year = serializers.IntegerField(source="plan.year")
    title = serializers.CharField()
    description = serializers.CharField()
    quarters = serializers.ListField(child=serializers.IntegerField(), source="quarter_list")
    tracks = serializers.SerializerMethodField()
    branches = serializers.SerializerMethodField()
    partners = serializers.SerializerMethodField()
    responsible = serializers.SerializerMethodField()
    status = serializers.CharField()
    evaluation = serializers.CharField()
    events = serializers.SerializerMethodField()
    series = serializers.SerializerMethodField()
    updated_at = serializers.DateTimeField()

    def get_tracks(self, obj: Initiative) -> list[str]:
        return [t.slug for t in obj.tracks.all()]

    def get_branches(self, obj: Initiative) -> list[str]:
        return [b.slug for b in obj.branches.all()]

    def get_partners(self, obj: Initiative) -> list[dict[str, Any]]:
        return [{"id": p.pk, "name": p.name} for p in obj.partners.all()]

    def get_responsible(self, obj: Initiative) -> dict[str, Any] | None:
        # Staff see who is responsible; the public sees the plan without names.
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if obj.responsible is None or not (
            user and user.is_authenticated and user.is_library_staff
        ):
            return None
        return {"id": obj.responsible.pk, "name": obj.responsible.name}

    def get_events(self, obj: Initiative) -> list[int]:
        return sorted(e.pk for e in obj.events.all())

    def get_series(self, obj: Initiative) -> list[int]:
        return sorted(s.pk for s in obj.series.all())


class InitiativeInputSerializer(serializers.Serializer):
    """POST needs plan (id) or year, title, quarters, tracks and branches; PATCH any subset."""

    plan = serializers.PrimaryKeyRelatedField(queryset=Plan.objects.all(), required=False)
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    quarters = serializers.ListField(
        child=serializers.ChoiceField(choices=list(QUARTERS)), allow_empty=False
    )
    tracks = serializers.SlugRelatedField(
        slug_field="slug", queryset=Track.objects.all(), many=True, allow_empty=False
    )
    branches = serializers.SlugRelatedField(
        slug_field="slug", queryset=Branch.objects.all(), many=True, allow_empty=False
    )
    partners = serializers.PrimaryKeyRelatedField(
        queryset=Partner.objects.all(), many=True, required=False
    )
    responsible = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True
    )
    status = serializers.ChoiceField(choices=InitiativeStatus.choices, required=False)
    evaluation = serializers.CharField(required=False, allow_blank=True)
    events = serializers.PrimaryKeyRelatedField(
        queryset=Event.objects.all(), many=True, required=False
    )
    series = serializers.PrimaryKeyRelatedField(
        queryset=EventSeries.objects.all(), many=True, required=False
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.partial:
            if "plan" in attrs or "year" in attrs:
                raise serializers.ValidationError(
                    {"plan": [_("An initiative cannot move to another year's plan.")]}
                )
            return attrs
        if "plan" not in attrs:
            year = attrs.pop("year", None)
            plan = Plan.objects.filter(year=year).first() if year else None
            if plan is None:
                raise serializers.ValidationError(
                    {"year": [_("Give the plan (id) or the year of an existing plan.")]}
                )
            attrs["plan"] = plan
        else:
            attrs.pop("year", None)
        return attrs


def audience_participants(cell: Cell) -> list[dict[str, Any]]:
    """Participants of held events per audience (slug order): ``[{"audience", "participants"}]``."""
    return [
        {"audience": slug, "participants": n}
        for slug, n in sorted(cell.audience_participants.items())
    ]


def coverage_as_dict(cov: Coverage) -> dict[str, Any]:
    """``GET /api/coverage/``: the exact shape of the contract."""
    tracks = []
    for track in cov.tracks:
        total = cov.total(track=track)
        target = cov.target(track=track, branch=cov.branch)
        tracks.append(
            {
                "track": track.slug,
                "target_initiatives": target.min_initiatives if target else None,
                "initiatives": total.initiative_count,
                "events_held": total.events_held,
                "events_cancelled": total.events_cancelled,
                "events_planned": total.events_planned,
                "registrations": total.registrations,
                "attendance": total.attendance,
                "volunteer_hours": float(total.volunteer_hours),
                "partners": total.partner_count,
                "audiences": sorted(total.audiences),
                "audience_participants": audience_participants(total),
                "by_branch": [
                    {
                        "branch": branch.slug,
                        "events_held": cell.events_held,
                        "events_planned": cell.events_planned,
                        "attendance": cell.attendance,
                        "initiatives": cell.initiative_count,
                        "audience_participants": audience_participants(cell),
                    }
                    for branch in cov.scope_branches
                    for cell in [cov.total(track=track, branch=branch)]
                ],
            }
        )
    return {
        "year": cov.year,
        "quarter": cov.quarter,
        "branch": cov.branch.slug if cov.branch else None,
        "tracks": tracks,
        "gaps": [gap.as_dict() for gap in cov.gaps],
    }


class _AudienceParticipantsSerializer(serializers.Serializer):
    audience = serializers.CharField()
    participants = serializers.IntegerField()


class _CoverageBranchSerializer(serializers.Serializer):
    branch = serializers.CharField()
    events_held = serializers.IntegerField()
    events_planned = serializers.IntegerField()
    attendance = serializers.IntegerField()
    initiatives = serializers.IntegerField()
    audience_participants = _AudienceParticipantsSerializer(many=True)


class _CoverageTrackSerializer(serializers.Serializer):
    track = serializers.CharField()
    target_initiatives = serializers.IntegerField(allow_null=True)
    initiatives = serializers.IntegerField()
    events_held = serializers.IntegerField()
    events_cancelled = serializers.IntegerField()
    events_planned = serializers.IntegerField()
    registrations = serializers.IntegerField()
    attendance = serializers.IntegerField()
    volunteer_hours = serializers.FloatField()
    partners = serializers.IntegerField()
    audiences = serializers.ListField(child=serializers.CharField())
    audience_participants = _AudienceParticipantsSerializer(many=True)
    by_branch = _CoverageBranchSerializer(many=True)


class _CoverageGapSerializer(serializers.Serializer):
    track = serializers.CharField(allow_null=True)
    branch = serializers.CharField(allow_null=True)
    quarter = serializers.IntegerField(allow_null=True)
    message = serializers.CharField()


class CoverageDocSerializer(serializers.Serializer):
    """The shape of GET /api/coverage/, for the API documentation."""

    year = serializers.IntegerField()
    quarter = serializers.IntegerField(allow_null=True)
    branch = serializers.CharField(allow_null=True)
    tracks = _CoverageTrackSerializer(many=True)
    gaps = _CoverageGapSerializer(many=True)
