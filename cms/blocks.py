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
