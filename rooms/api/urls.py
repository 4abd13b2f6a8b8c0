from django.urls import path

from rooms.api import views

urlpatterns = [
    path("rooms/", views.RoomListApi.as_view(), name="api-rooms"),
    path("rooms/<int:pk>/", views.RoomDetailApi.as_view(), name="api-room"),
    path(
        "rooms/<int:pk>/availability/",
        views.RoomAvailabilityApi.as_view(),
        name="api-room-availability",
    ),
    path("rooms/<int:pk>/holds/", views.RoomHoldApi.as_view(), name="api-room-holds"),
    path(
        "bookings/<int:pk>/release-hold/",
        views.RoomHoldReleaseApi.as_view(),
        name="api-booking-release-hold",
    ),
    path("bookings/", views.BookingListCreateApi.as_view(), name="api-bookings"),
    path("bookings/<int:pk>/", views.BookingDetailApi.as_view(), name="api-booking"),
    path("bookings/<int:pk>/cancel/", views.BookingCancelApi.as_view(), name="api-booking-cancel"),
    path(
        "bookings/<int:pk>/approve/", views.BookingApproveApi.as_view(), name="api-booking-approve"
    ),
    path("bookings/<int:pk>/reject/", views.BookingRejectApi.as_view(), name="api-booking-reject"),
    path(
        "bookings/<int:pk>/no-show/", views.BookingNoShowApi.as_view(), name="api-booking-no-show"
    ),
    path("equipment/", views.EquipmentListApi.as_view(), name="api-equipment"),
    path("equipment/<int:pk>/", views.EquipmentDetailApi.as_view(), name="api-equipment-detail"),
    path(
        "equipment/<int:pk>/availability/",
        views.EquipmentAvailabilityApi.as_view(),
        name="api-equipment-availability",
    ),
    path(
        "equipment-bookings/",
        views.EquipmentBookingListCreateApi.as_view(),
        name="api-equipment-bookings",
    ),
    path(
        "equipment-bookings/<int:pk>/cancel/",
        views.EquipmentBookingCancelApi.as_view(),
        name="api-equipment-booking-cancel",
    ),
    path(
        "equipment-bookings/<int:pk>/check-in/",
        views.EquipmentBookingCheckInApi.as_view(),
        name="api-equipment-booking-check-in",
    ),
    path("licences/", views.LicenceListCreateApi.as_view(), name="api-licences"),
]
