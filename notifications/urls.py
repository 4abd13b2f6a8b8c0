from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("feeds/events.ics", views.events_feed, name="events-feed"),
    path("feeds/events/<int:event_id>.ics", views.event_ics, name="event-ics"),
    path("feeds/rooms/<int:room_id>.ics", views.room_feed, name="room-feed"),
    path("feeds/personal/<str:token>.ics", views.personal_feed, name="personal-feed"),
    path("min-side/kalender/forny/", views.feed_renew, name="feed-renew"),
    path("min-side/kalender/nyt-link/", views.feed_created, name="feed-created"),
    path("min-side/kalender/sluk/", views.feed_revoke, name="feed-revoke"),
    path("min-side/paamindelser/", views.reminders_save, name="reminders-save"),
]
