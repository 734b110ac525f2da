"""Helpers shared by the demo seeding steps."""


def publish(page):
    """Save a revision of ``page`` and publish it (indexes it for search, bumps the menu)."""
    page.save_revision().publish()


def seed_labels(model, specs, *, noun, log=print) -> dict:
    """Editor-managed bilingual labels (themes, target groups), keyed by slug.

    An existing label keeps its names: editors may have reworded it in the admin.
    """
    labels = {}
    for spec in specs:
        label, created = model.objects.get_or_create(
            slug=spec["slug"],
            defaults={
                "name": spec["name"],
                "name_en": spec["name_en"],
                "sort_order": spec["sort_order"],
            },
        )
        if created:
            log(f"created the {noun} {spec['slug']}")
        labels[label.slug] = label
    return labels
