"""The body content of every page: one StoryBlock shared by all page types.

Editors are semi-trusted: rich text goes through Wagtail's whitelist and no raw HTML
block is offered. Later issues add lesson-only blocks (quiz, fieldwork assignment) in
their own apps by extending ``StoryBlock``.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock

RICH_TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul", "document-link"]


class HeadingBlock(blocks.StructBlock):
    """A section heading; the level keeps the page outline correct for screen readers."""

    text = blocks.CharBlock(label=_("Heading"), max_length=120)
    level = blocks.ChoiceBlock(
        label=_("Level"),
        choices=[("h2", _("Heading 2")), ("h3", _("Heading 3")), ("h4", _("Heading 4"))],
        default="h2",
    )

    class Meta:
        icon = "title"
        label = _("Heading")
        template = "components/streamfield/blocks/heading_block.html"


class ImageBlock(blocks.StructBlock):
    """An image with required alternative text and an optional caption."""

    image = ImageChooserBlock(label=_("Image"))
    alt_text = blocks.CharBlock(
        label=_("Alternative text"),
        max_length=250,
        help_text=_("Describe the image for people who cannot see it."),
    )
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=250)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "components/streamfield/blocks/image_block.html"


class CalloutBlock(blocks.StructBlock):
    """A highlighted box: a tip, a point to remember, or a warning."""

    tone = blocks.ChoiceBlock(
        label=_("Kind"),
        choices=[("info", _("Information")), ("tip", _("Tip")), ("warning", _("Caution"))],
        default="info",
    )
    title = blocks.CharBlock(label=_("Title"), required=False, max_length=120)
    text = blocks.RichTextBlock(label=_("Text"), features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "warning"
        label = _("Callout")
        template = "components/streamfield/blocks/callout_block.html"


class QuoteBlock(blocks.StructBlock):
    """A voice from the community: a resident, a partner, a trainee."""

    quote = blocks.TextBlock(label=_("Quote"))
    attribution = blocks.CharBlock(label=_("Who said it"), required=False, max_length=120)

    class Meta:
        icon = "openquote"
        label = _("Quote")
        template = "components/streamfield/blocks/quote_block.html"


class DocumentBlock(blocks.StructBlock):
    """A downloadable document with a title shown to the reader."""

    document = DocumentChooserBlock(label=_("Document"))
    title = blocks.CharBlock(label=_("Link text"), required=False, max_length=120)

    class Meta:
        icon = "doc-full"
        label = _("Document")
        template = "components/streamfield/blocks/document_block.html"


class StoryBlock(blocks.StreamBlock):
    """The body StreamField of the site's pages."""

    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        label=_("Paragraph"),
        features=RICH_TEXT_FEATURES,
        icon="pilcrow",
        template="components/streamfield/blocks/paragraph_block.html",
    )
    image = ImageBlock()
    callout = CalloutBlock()
    quote = QuoteBlock()
    document = DocumentBlock()

    class Meta:
        template = "components/streamfield/blocks/story_block.html"


# --- Method library ---------------------------------------------------------------------------
class StepBlock(blocks.StructBlock):
    """One step of a method, in the order a reader would follow it, with an optional tip."""

    title = blocks.CharBlock(label=_("Step"), max_length=120)
    description = blocks.RichTextBlock(label=_("What to do"), features=RICH_TEXT_FEATURES)
    tip = blocks.TextBlock(
        label=_("Tip"),
        required=False,
        help_text=_("Optional: advice from people who have done it."),
    )

    class Meta:
        icon = "list-ol"
        label = _("Step")
        template = "components/streamfield/blocks/step_block.html"


class IndicatorBlock(blocks.StructBlock):
    """A sign that the method works, and how to notice or measure it."""

    indicator = blocks.CharBlock(label=_("Indicator"), max_length=200)
    how_to_measure = blocks.TextBlock(label=_("How to measure it"), required=False)

    class Meta:
        icon = "success"
        label = _("Indicator")
        template = "components/streamfield/blocks/indicator_block.html"


class PitfallBlock(blocks.StructBlock):
    """A way the method tends to go wrong, and how to avoid it."""

    pitfall = blocks.CharBlock(label=_("Pitfall"), max_length=200)
    how_to_avoid = blocks.TextBlock(label=_("How to avoid it"), required=False)

    class Meta:
        icon = "warning"
        label = _("Pitfall")
        template = "components/streamfield/blocks/pitfall_block.html"


class FigureBlock(blocks.StructBlock):
    """A number from a case study: a label, a value and its unit (入居者 / 12 / 人)."""

    label = blocks.CharBlock(label=_("What is counted"), max_length=120)
    value = blocks.CharBlock(label=_("Value"), max_length=40)
    unit = blocks.CharBlock(label=_("Unit"), max_length=40, required=False)

    class Meta:
        icon = "decimal"
        label = _("Figure")
        template = "components/streamfield/blocks/figure_block.html"


class ProjectPartnerBlock(blocks.StructBlock):
    """An organisation that worked on a case study, and its part in it."""

    name = blocks.CharBlock(label=_("Organisation"), max_length=200)
    role = blocks.CharBlock(label=_("Its part"), max_length=200, required=False)

    class Meta:
        icon = "group"
        label = _("Partner")
        template = "components/streamfield/blocks/project_partner_block.html"
