"""The plan's seven development tracks and the target groups, with stable slugs."""

from django.db import migrations

TRACKS = [
    (
        "fordybelse",
        "Fordybelse",
        "Immersion",
        "Biblioteket giver rum til fordybelse i litteratur, viden og refleksion – læsning, lytning og samtale.",
        "The library makes room for deep reading, listening and reflection.",
    ),
    (
        "hygge",
        "Hygge",
        "Hygge",
        "Biblioteket er en hyggelig dagligstue, hvor man har lyst til at blive og møde andre.",
        "A cosy living room where people like to stay and meet others.",
    ),
    (
        "viden-og-vejledning",
        "Viden & vejledning",
        "Knowledge & guidance",
        "Biblioteket vejleder i at finde pålidelig viden og bruge den.",
        "Guidance to reliable knowledge and how to use it.",
    ),
    (
        "struktur-for-livet",
        "Struktur for livet",
        "Structure for life",
        "Biblioteket støtter ved livets overgange – eksamen, barsel, pension.",
        "Support at life's transitions: exams, a growing family, retirement.",
    ),
    (
        "en-lokal-aktoer",
        "En lokal aktør",
        "A local actor",
        "Biblioteket tager del i lokalsamfundets liv, også uden for sine mure.",
        "The library takes part in local life, also outside its walls.",
    ),
    (
        "indgang-til-faellesskab",
        "Indgang til fællesskab",
        "Gateway to community",
        "Biblioteket er en dør ind til foreninger, frivillighed og fællesskaber.",
        "A door into associations, volunteering and communities.",
    ),
    (
        "digitale-forbindelser",
        "Digitale forbindelser",
        "Digital connections",
        "Biblioteket styrker digital inklusion og digital skaberkraft.",
        "Digital inclusion and digital creation.",
    ),
]

AUDIENCES = [
    ("alle", "Alle", "Everyone"),
    ("boern", "Børn", "Children"),
    ("unge", "Unge", "Young people"),
    ("voksne", "Voksne", "Adults"),
    ("aeldre", "Ældre", "Seniors"),
    ("familier", "Familier", "Families"),
]


def create(apps, schema_editor):
    Track = apps.get_model("core", "Track")
    Audience = apps.get_model("core", "Audience")
    for position, (slug, name_da, name_en, desc_da, desc_en) in enumerate(TRACKS, start=1):
        Track.objects.update_or_create(
            slug=slug,
            defaults={
                "name_da": name_da,
                "name_en": name_en,
                "description_da": desc_da,
                "description_en": desc_en,
                "position": position,
            },
        )
    for position, (slug, name_da, name_en) in enumerate(AUDIENCES, start=1):
        Audience.objects.update_or_create(
            slug=slug, defaults={"name_da": name_da, "name_en": name_en, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
