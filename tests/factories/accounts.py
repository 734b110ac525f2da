import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from lms.accounts import roles
from lms.accounts.services import user_assign_role

PASSWORD = "correct-horse-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    last_name = "山田"
    first_name = "花子"
    last_name_kana = "やまだ"
    first_name_kana = "はなこ"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)
        if create:
            self.save()

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            user_assign_role(user=self, role=extracted)


def _assign_default_role(default):
    def assign(user, create, extracted, **kwargs):
        if create:
            user_assign_role(user=user, role=extracted or default)

    return factory.PostGeneration(assign)


class TraineeFactory(UserFactory):
    role = _assign_default_role(roles.TRAINEES)


class InstructorFactory(UserFactory):
    role = _assign_default_role(roles.INSTRUCTORS)


class PartnerFactory(UserFactory):
    role = _assign_default_role(roles.PARTNERS)
