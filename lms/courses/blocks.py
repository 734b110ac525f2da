"""The lesson body: the site's StoryBlock plus blocks that only make sense in a lesson."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.snippets.blocks import SnippetChooserBlock

from cms.blocks import RICH_TEXT_FEATURES, StoryBlock


class VideoBlock(blocks.StructBlock):
    """A video with the transcript that makes it usable without sound or sight."""

    video = EmbedBlock(label=_("Video URL"))
    title = blocks.CharBlock(label=_("Title"), max_length=200)
    transcript = blocks.RichTextBlock(
        label=_("Transcript"),
        features=RICH_TEXT_FEATURES,
        help_text=_("Required: everything said in the video, for people who cannot hear it."),
    )

    class Meta:
        icon = "media"
        label = _("Video with transcript")
        template = "components/streamfield/blocks/video_block.html"


class WorksheetBlock(blocks.StructBlock):
    """Questions for the trainee to think about or write down, with an optional form to print."""

    title = blocks.CharBlock(label=_("Title"), max_length=200)
    instructions = blocks.RichTextBlock(label=_("Instructions"), features=RICH_TEXT_FEATURES)
    prompts = blocks.ListBlock(blocks.CharBlock(label=_("Question")), label=_("Questions"))
    document = DocumentChooserBlock(label=_("Printable worksheet"), required=False)

    class Meta:
        icon = "form"
        label = _("Worksheet")
        template = "components/streamfield/blocks/worksheet_block.html"


class KeyPointsBlock(blocks.StructBlock):
    """The few points to remember from the lesson."""

    title = blocks.CharBlock(label=_("Title"), max_length=200, required=False)
    points = blocks.ListBlock(blocks.CharBlock(label=_("Point")), label=_("Key points"))

    class Meta:
        icon = "list-ul"
        label = _("Key points")
        template = "components/streamfield/blocks/key_points_block.html"


class FieldworkAssignmentBlock(blocks.StructBlock):
    """Where a lesson sends the trainee into the field.

    The block holds only the instructor's instructions; the course's fieldwork requirement
    (hours, categories, deadline) and the trainee's progress toward it are drawn by the
    fieldwork app's template tag in the block's template, so courses never imports it.
    """

    title = blocks.CharBlock(label=_("Title"), max_length=200)
    instructions = blocks.RichTextBlock(
        label=_("Instructions"), features=RICH_TEXT_FEATURES, required=False
    )

    class Meta:
        icon = "site"
        label = _("Fieldwork assignment")
        template = "components/streamfield/blocks/fieldwork_assignment_block.html"


class QuizBlock(blocks.StructBlock):
    """A quiz (確認テスト) placed in the lesson.

    The quiz is chosen by string reference (``assessments.Quiz``), so courses never imports
    the assessments app; the block's template draws the quiz's rules, the trainee's status
    and a start or resume button with the assessments app's template tags.
    """

    quiz = SnippetChooserBlock("assessments.Quiz", label=_("Quiz"))

    class Meta:
        icon = "help"
        label = _("Quiz")
        template = "components/streamfield/blocks/quiz_block.html"


class LessonBlock(StoryBlock):
    """The lesson StreamField: the site's StoryBlock plus the lesson's own blocks.

    Blocks about higher layers (the quiz, the fieldwork assignment) refer to their models
    by string only and draw per-user data with their apps' template tags, so courses never
    imports those apps.
    """

    video = VideoBlock()
    worksheet = WorksheetBlock()
    key_points = KeyPointsBlock()
    fieldwork_assignment = FieldworkAssignmentBlock()
    quiz = QuizBlock()

    class Meta:
        template = "components/streamfield/blocks/story_block.html"
