from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoomsConfig(AppConfig):
    name = "rooms"
    verbose_name = _("Rooms")

    def ready(self) -> None:
        from core import mypage
        from core.closure_apply import register_closure_apply
        from core.closure_impact import register_closure_impact
        from core.demo import register_loader
        from core.navigation import register_nav_link, register_page_part
        from core.privacy import register_personal_data
        from rooms import demo, privacy, selectors, views

        register_loader("rooms", demo.load, order=20)
        mypage.register_section("rooms", views.my_page_section, order=20)
        register_nav_link("rooms", _("Rooms"), "rooms:room-list", order=20)
        register_nav_link("rooms-makerspace", _("Makerspace"), "rooms:makerspace", order=21)
        register_page_part("branch-detail", "rooms", views.branch_rooms_part, order=20)
        mypage.register_staff_link(
            "rooms-approval", _("Room requests to approve"), "rooms:approval-index", order=10
        )
        mypage.register_staff_count(
            "rooms-waiting",
            _("room requests waiting"),
            count=selectors.staff_count_waiting,
            url_name="rooms:approval-index",
            order=10,
        )
        mypage.register_staff_link(
            "rooms-makerspace", _("Makerspace and licences"), "rooms:makerspace", order=11
        )
        mypage.register_staff_link(
            "rooms-setup", _("Rooms and machines: set-up and rules"), "rooms:setup-index", order=12
        )
        mypage.register_staff_link(
            "rooms-licences", _("Machine licences (kørekort)"), "rooms:setup-licences", order=13
        )
        register_personal_data("rooms", export=privacy.export, erase=privacy.erase, order=20)
        from rooms.services.closures import closure_cancel_bookings

        register_closure_apply("rooms", closure_cancel_bookings)
        from core.closure_moves import register_move_rooms

        register_move_rooms(selectors.move_room_choices)
        register_closure_impact(
            "rooms", _("Room and machine bookings"), selectors.closure_impact_bookings, order=10
        )
