from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.models import Audience, BookmobileStop, Branch, Closure, OpeningHours, Partner, Track

if TYPE_CHECKING:
    from core.selectors import BranchWithHours


class RegisterInputSerializer(serializers.Serializer[None]):  # input only: no instance
    email = serializers.EmailField()
    password = serializers.CharField(write_only=True, trim_whitespace=False)
    name = serializers.CharField(max_length=150)
    language = serializers.ChoiceField(choices=["da", "en"], required=False, default="da")


class RegisterOutputSerializer(serializers.Serializer[dict[str, Any]]):
    """The same for a new and a taken address: nothing here says whether an account exists."""

    email = serializers.EmailField()
    name = serializers.CharField()
    role = serializers.CharField()
    detail = serializers.CharField(help_text="What happens next: the e-mail to look for.")


class TokenInputSerializer(serializers.Serializer[None]):  # input only: no instance
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False)
    name = serializers.CharField(
        max_length=100,
        required=False,
        default="API",
        help_text='What the token is for (the app\'s name); shown on "my page". Default "API".',
    )


class TokenOutputSerializer(serializers.Serializer[dict[str, Any]]):
    token = serializers.CharField()


class OpeningHoursSerializer(serializers.ModelSerializer[OpeningHours]):
    class Meta:
        model = OpeningHours
        fields = ["weekday", "opens", "closes", "kind"]


class ClosureSerializer(serializers.ModelSerializer[Closure]):
    class Meta:
        model = Closure
        fields = ["starts_on", "ends_on", "reason"]


class StopSerializer(serializers.ModelSerializer[BookmobileStop]):
    class Meta:
        model = BookmobileStop
        fields = ["name", "place", "weekday", "arrives", "departs", "valid_from", "valid_until"]


class BranchSerializer(serializers.ModelSerializer[Branch]):
    opening_hours = OpeningHoursSerializer(many=True, read_only=True)
    closures = serializers.SerializerMethodField()
    stops = StopSerializer(many=True, read_only=True)

    class Meta:
        model = Branch
        fields = [
            "id",
            "slug",
            "name",
            "kind",
            "town",
            "address",
            "postcode",
            "email",
            "phone",
            "opening_hours",
            "closures",
            "stops",
        ]

    @extend_schema_field(ClosureSerializer(many=True))
    def get_closures(self, branch: BranchWithHours) -> list[dict[str, object]]:
        """The branch's own upcoming closures and those of all branches, by date."""
        shared = self.context.get("closures_for_all", [])
        closures = sorted([*branch.upcoming_closures, *shared], key=lambda c: c.starts_on)
        # many=True makes a ListSerializer, whose data is a list; the stubs cannot tell.
        return cast("list[dict[str, object]]", ClosureSerializer(closures, many=True).data)


class HolidaySerializer(serializers.Serializer[Any]):  # rows of dicts, with many=True
    date = serializers.DateField()
    name = serializers.CharField()
    public_holiday = serializers.BooleanField()


class TrackSerializer(serializers.ModelSerializer[Track]):
    class Meta:
        model = Track
        fields = ["id", "slug", "name", "name_da", "name_en", "description_da", "description_en"]


class AudienceSerializer(serializers.ModelSerializer[Audience]):
    class Meta:
        model = Audience
        fields = ["id", "slug", "name", "name_da", "name_en"]


class PartnerSerializer(serializers.ModelSerializer[Partner]):
    class Meta:
        model = Partner
        fields = ["id", "name", "kind", "website"]
