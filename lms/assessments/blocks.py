"""The question blocks of a quiz: one StructBlock per question type, edited inline in the admin.

Each block validates itself in ``clean()`` with a message that says what to fix, and knows
how to freeze itself into the JSON snapshot an attempt keeps (``snapshot()``): the shape is
the one the grading engine (``grading.py``) reads. The question's id is its StreamField
block id and each choice or ordering item's id is its ListBlock item id, both uuids that
stay the same when the question is edited, so statistics and regrades can follow them.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.rich_text import expand_db_html
from wagtail.snippets.blocks import SnippetChooserBlock

QUESTION_FEATURES = ["bold", "italic", "ol", "ul", "link", "image"]
FEEDBACK_FEATURES = ["bold", "italic", "link"]

SCORING_CHOICES = [
    ("all_or_nothing", _("All or nothing")),
    ("proportional", _("Partial credit (proportional)")),
]


def _html(value) -> str:
    if not value:
        return ""
    source = getattr(value, "source", value)
    return expand_db_html(source) if source else ""


class ChoiceBlock(blocks.StructBlock):
    """One answer choice with whether it is correct and what the trainee reads on picking it."""

    text = blocks.CharBlock(label=_("Choice"), max_length=500)
    correct = blocks.BooleanBlock(label=_("Correct"), required=False)
    feedback = blocks.CharBlock(
        label=_("Feedback for this choice"),
        required=False,
        max_length=1000,
        help_text=_("Shown in the review to a trainee who picked this choice."),
    )

    class Meta:
        icon = "radio-full"
        label = _("Choice")


class BaseQuestionBlock(blocks.StructBlock):
    """What every question has: the text, points, a category, feedback and an explanation."""

    text = blocks.RichTextBlock(label=_("Question"), features=QUESTION_FEATURES)
    points = blocks.DecimalBlock(
        label=_("Points"), default=Decimal("1"), min_value=Decimal("0.01"), decimal_places=2
    )
    category = SnippetChooserBlock(
        "assessments.QuestionCategory",
        label=_("Question category"),
        required=False,
        help_text=_("Needed when the quiz draws questions at random from a category."),
    )
    feedback = blocks.RichTextBlock(
        label=_("General feedback"),
        features=FEEDBACK_FEATURES,
        required=False,
        help_text=_("Shown in the review, whatever the answer."),
    )
    explanation = blocks.RichTextBlock(
        label=_("Explanation"),
        features=QUESTION_FEATURES,
        required=False,
        help_text=_("Shown in the review, when the review policy allows it."),
    )

    question_type = ""

    class Meta:
        icon = "help"

    def clean(self, value):
        value = super().clean(value)
        errors = self.validate_question(value)
        if errors:
            raise StructBlockValidationError(
                block_errors={name: ValidationError(message) for name, message in errors.items()}
            )
        return value

    def validate_question(self, value) -> dict:
        """Errors by child block name; the base checks nothing beyond the fields themselves."""
        return {}

    def snapshot(self, value, *, block_id: str, category_slug: str = "") -> dict:
        """The question as a trainee will see it, frozen; see the contract in grading.py."""
        return {
            "id": str(block_id),
            "type": self.question_type,
            "text": _html(value.get("text")),
            "points": str(value.get("points") or Decimal("0")),
            "category": category_slug,
            "feedback": _html(value.get("feedback")),
            "explanation": _html(value.get("explanation")),
        }


def _choices(value) -> list[dict]:
    choices = value.get("choices")
    if choices is None:
        return []
    return [
        {
            "id": str(bound.id),
            "text": bound.value.get("text", ""),
            "correct": bool(bound.value.get("correct")),
            "feedback": bound.value.get("feedback", "") or "",
        }
        for bound in choices.bound_blocks
    ]


class SingleChoiceQuestionBlock(BaseQuestionBlock):
    """One correct answer among several choices."""

    choices = blocks.ListBlock(ChoiceBlock(), label=_("Choices"), min_num=2)
    question_type = "single"

    class Meta:
        icon = "radio-full"
        label = _("Single choice")

    def validate_question(self, value):
        correct = sum(1 for choice in value.get("choices") or [] if choice.get("correct"))
        if correct != 1:
            return {
                "choices": gettext("Mark exactly one choice as correct (now %(count)d are marked).")
                % {"count": correct}
            }
        return {}

    def snapshot(self, value, **kwargs):
        return {**super().snapshot(value, **kwargs), "choices": _choices(value)}


class MultipleChoiceQuestionBlock(BaseQuestionBlock):
    """Several correct answers, with all-or-nothing or proportional partial credit."""

    choices = blocks.ListBlock(ChoiceBlock(), label=_("Choices"), min_num=2)
    scoring = blocks.ChoiceBlock(
        choices=SCORING_CHOICES,
        default="all_or_nothing",
        label=_("Scoring"),
        help_text=_(
            "Partial credit: each correct choice picked earns its share of the points, each "
            "wrong choice picked takes its share away; never below zero."
        ),
    )
    question_type = "multiple"

    class Meta:
        icon = "tasks"
        label = _("Multiple choice")

    def validate_question(self, value):
        if not any(choice.get("correct") for choice in value.get("choices") or []):
            return {"choices": gettext("Mark at least one choice as correct.")}
        return {}

    def snapshot(self, value, **kwargs):
        return {
            **super().snapshot(value, **kwargs),
            "choices": _choices(value),
            "scoring": value.get("scoring") or "all_or_nothing",
        }


class TrueFalseQuestionBlock(BaseQuestionBlock):
    """A statement the trainee judges true or false."""

    answer = blocks.ChoiceBlock(
        choices=[("true", _("True")), ("false", _("False"))],
        default="true",
        label=_("The statement is"),
    )
    feedback_true = blocks.CharBlock(
        label=_("Feedback for “true”"), required=False, max_length=1000
    )
    feedback_false = blocks.CharBlock(
        label=_("Feedback for “false”"), required=False, max_length=1000
    )
    question_type = "true_false"

    class Meta:
        icon = "tick"
        label = _("True or false")

    def snapshot(self, value, **kwargs):
        answer = value.get("answer") or "true"
        return {
            **super().snapshot(value, **kwargs),
            "choices": [
                {
                    "id": "true",
                    "text": gettext("True"),
                    "correct": answer == "true",
                    "feedback": value.get("feedback_true") or "",
                },
                {
                    "id": "false",
                    "text": gettext("False"),
                    "correct": answer == "false",
                    "feedback": value.get("feedback_false") or "",
                },
            ],
        }


class ShortAnswerQuestionBlock(BaseQuestionBlock):
    """A word or phrase typed by the trainee, compared with the accepted answers."""

    accepted_answers = blocks.ListBlock(
        blocks.CharBlock(label=_("Accepted answer"), max_length=200),
        label=_("Accepted answers"),
        min_num=1,
        help_text=_(
            "Compared after normalising full-width and half-width characters, spaces and "
            "upper/lower case."
        ),
    )
    kana_insensitive = blocks.BooleanBlock(
        label=_("Treat hiragana and katakana as the same"), required=False
    )
    question_type = "short_answer"

    class Meta:
        icon = "edit"
        label = _("Short answer")

    def validate_question(self, value):
        answers = [a for a in value.get("accepted_answers") or [] if (a or "").strip()]
        if not answers:
            return {"accepted_answers": gettext("Give at least one accepted answer.")}
        return {}

    def snapshot(self, value, **kwargs):
        return {
            **super().snapshot(value, **kwargs),
            "accepted_answers": [a for a in value.get("accepted_answers") or [] if a],
            "kana_insensitive": bool(value.get("kana_insensitive")),
        }


class NumericQuestionBlock(BaseQuestionBlock):
    """A number, correct within a tolerance."""

    answer = blocks.DecimalBlock(label=_("Correct answer"), decimal_places=4)
    tolerance = blocks.DecimalBlock(
        label=_("Tolerance (±)"),
        default=Decimal("0"),
        decimal_places=4,
        help_text=_("Answers within this distance of the correct answer earn full points."),
    )
    unit = blocks.CharBlock(
        label=_("Unit"), required=False, max_length=30, help_text=_("For example: 人, 円, 点")
    )
    question_type = "numeric"

    class Meta:
        icon = "order"
        label = _("Numeric")

    def validate_question(self, value):
        tolerance = value.get("tolerance")
        if tolerance is not None and tolerance < 0:
            return {"tolerance": gettext("The tolerance must be zero or more.")}
        return {}

    def snapshot(self, value, **kwargs):
        return {
            **super().snapshot(value, **kwargs),
            "answer": str(value.get("answer")),
            "tolerance": str(value.get("tolerance") or Decimal("0")),
            "unit": value.get("unit") or "",
        }


class OrderingQuestionBlock(BaseQuestionBlock):
    """Items the trainee puts in order (with move up / move down buttons, keyboard operable)."""

    items = blocks.ListBlock(
        blocks.CharBlock(label=_("Item"), max_length=300),
        label=_("Items in the correct order"),
        min_num=2,
        help_text=_("Trainees see them shuffled."),
    )
    scoring = blocks.ChoiceBlock(
        choices=SCORING_CHOICES,
        default="all_or_nothing",
        label=_("Scoring"),
        help_text=_("Partial credit: the share of items in their right place."),
    )
    question_type = "ordering"

    class Meta:
        icon = "list-ol"
        label = _("Ordering")

    def validate_question(self, value):
        items = [item for item in value.get("items") or [] if (item or "").strip()]
        if len(items) < 2:
            return {"items": gettext("Give at least two items to put in order.")}
        return {}

    def snapshot(self, value, **kwargs):
        items = value.get("items")
        listed = (
            [{"id": str(bound.id), "text": bound.value} for bound in items.bound_blocks]
            if items is not None
            else []
        )
        return {
            **super().snapshot(value, **kwargs),
            "items": listed,
            "display_order": [item["id"] for item in listed],
            "scoring": value.get("scoring") or "all_or_nothing",
        }


class EssayQuestionBlock(BaseQuestionBlock):
    """A written answer, graded by an instructor against the rubric."""

    rubric = blocks.RichTextBlock(
        label=_("Rubric"),
        features=QUESTION_FEATURES,
        help_text=_("What a full-marks answer contains; instructors grade against it."),
    )
    question_type = "essay"

    class Meta:
        icon = "doc-full"
        label = _("Essay")

    def snapshot(self, value, **kwargs):
        return {**super().snapshot(value, **kwargs), "rubric": _html(value.get("rubric"))}


class QuestionStreamBlock(blocks.StreamBlock):
    """The questions of a quiz, in order."""

    single = SingleChoiceQuestionBlock()
    multiple = MultipleChoiceQuestionBlock()
    true_false = TrueFalseQuestionBlock()
    short_answer = ShortAnswerQuestionBlock()
    numeric = NumericQuestionBlock()
    ordering = OrderingQuestionBlock()
    essay = EssayQuestionBlock()
