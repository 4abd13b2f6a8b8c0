from django.urls import path

from rooms import views, views_door, views_setup

app_name = "rooms"

urlpatterns = [
    path("lokaler/", views.room_list, name="room-list"),
    path("lokaler/<int:pk>/", views.room_detail, name="room-detail"),
    path("lokaler/uge/<slug:slug>/", views.week_grid, name="week"),
    path("lokaler/mine/", views.my_bookings, name="my-bookings"),
    path("lokaler/booking/<int:pk>/aflys/", views.booking_cancel, name="booking-cancel"),
    path("lokaler/booking/<int:pk>/godkend/", views.booking_approve, name="booking-approve"),
    path("lokaler/booking/<int:pk>/afvis/", views.booking_reject, name="booking-reject"),
    path("lokaler/booking/<int:pk>/udeblev/", views.booking_no_show, name="booking-no-show"),
    path("lokaler/godkendelse/", views.approval_index, name="approval-index"),
    path("lokaler/godkendelse/<slug:slug>/", views.approval_queue, name="approval-queue"),
    path("lokaler/<int:pk>/tjek-ind/", views_door.door_check_in, name="door-check-in"),
    path("personale/lokaler/<int:pk>/doerskilt/", views_door.door_sign, name="door-sign"),
    path("personale/lokaler/pauser/", views_door.pauses, name="pauses"),
    path("personale/lokaler/pauser/<int:pk>/ophaev/", views_door.pause_lift, name="pause-lift"),
    path("makerspace/", views.makerspace, name="makerspace"),
    path("makerspace/book/", views.equipment_book, name="equipment-book"),
    path("makerspace/koerekort/", views.licence_grant, name="licence-grant"),
    path(
        "makerspace/booking/<int:pk>/aflys/",
        views.equipment_booking_cancel,
        name="equipment-booking-cancel",
    ),
    path(
        "makerspace/booking/<int:pk>/tjek-ind/",
        views.equipment_booking_check_in,
        name="equipment-booking-check-in",
    ),
]

# Staff set up rooms, machines and licences (rooms.views_setup).
urlpatterns += [
    path("personale/lokaler/", views_setup.setup_index, name="setup-index"),
    path("personale/lokaler/ny/", views_setup.room_create, name="setup-room-create"),
    path("personale/lokaler/<int:pk>/ret/", views_setup.room_edit, name="setup-room-edit"),
    path(
        "personale/lokaler/maskiner/ny/",
        views_setup.equipment_create,
        name="setup-equipment-create",
    ),
    path(
        "personale/lokaler/maskiner/<int:pk>/ret/",
        views_setup.equipment_edit,
        name="setup-equipment-edit",
    ),
    path("personale/lokaler/koerekort/", views_setup.licences, name="setup-licences"),
    path(
        "personale/lokaler/koerekort/<int:pk>/tilbagekald/",
        views_setup.licence_revoke,
        name="setup-licence-revoke",
    ),
]
