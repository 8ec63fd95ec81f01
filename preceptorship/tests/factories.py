from __future__ import annotations

import factory

from preceptorship.models import IntegratedCareSystem, Membership, Notification, Organisation, Profession, Team, User


class IntegratedCareSystemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IntegratedCareSystem
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Test Integrated Care System {n}")
    slug = factory.Sequence(lambda n: f"test-ics-{n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Test Organisation {n}")
    slug = factory.Sequence(lambda n: f"test-organisation-{n}")
    kind = Organisation.Kind.LOCAL_AUTHORITY
    ics = factory.SubFactory(IntegratedCareSystemFactory)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


def profession(slug: str = "occupational-therapy") -> Profession:
    return Profession.objects.get(slug=slug)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def persist(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.PRACTITIONER


def person(organisation: Organisation, *roles: str, team: Team | None = None, **fields) -> User:
    """A user holding the given roles in one organisation."""
    user = UserFactory(**fields)
    for role in roles:
        Membership.objects.create(user=user, organisation=organisation, role=role, team=team)
    return user


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    kind = "test"
    key = factory.Sequence(lambda n: f"test:{n}")
    subject = "Something happened"
    url = "/"
