from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from preceptorship.models import Organisation

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


def domain_list(text: str) -> list[str]:
    """The e-mail domains of a comma-, space- or line-separated text, lower case, without '@'."""
    parts = text.replace(",", " ").split()
    return sorted({part.strip().lstrip("@").lower() for part in parts if part.strip().lstrip("@")})


def check_issuer(issuer: str) -> None:
    """An issuer is an https URL; plain http only on this machine (a provider started by the tests)."""
    parts = urlsplit(issuer)
    if not parts.netloc or parts.query or parts.fragment:
        raise ValidationError({"issuer": "Enter the issuer's address, such as https://login.example/tenant/v2.0."})
    if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in LOCAL_HOSTS):
        raise ValidationError({"issuer": "The issuer's address must start with https://."})


class IdentityProvider(models.Model):
    """An organisation's OpenID Connect provider. A person whose work e-mail is in one of its
    domains is sent to it to sign in; only people who already have an account here, in one of the
    organisations it serves, get in."""

    name = models.CharField(max_length=200, unique=True, help_text="Shown to people signing in, e.g. 'NHSmail'.")
    issuer = models.URLField(
        max_length=500,
        help_text="The provider's issuer. Its discovery document is read from "
        "<issuer>/.well-known/openid-configuration.",
    )
    client_id = models.CharField("client id", max_length=300)
    # Kept to call the provider's token endpoint; never shown again once saved (see admin.py).
    client_secret = models.CharField("client secret", max_length=500, blank=True)
    allowed_domains = models.TextField(
        "allowed e-mail domains",
        help_text="The work e-mail domains this provider signs in, separated by commas or new lines, "
        "e.g. nhs.net, example-trust.nhs.uk.",
    )
    organisations = models.ManyToManyField(
        Organisation, related_name="identity_providers",
        help_text="Only members of these organisations may sign in through this provider.",
    )
    employee_number_claim = models.CharField(
        max_length=100, blank=True,
        help_text="The claim holding the employee number, if the provider sends one (e.g. employeeid). "
        "A person signing in for the first time is then matched by employee number before e-mail.",
    )
    scopes = models.CharField(max_length=300, default="openid email profile")
    enabled = models.BooleanField(default=True)
    # The provider described by the OIDC_DEFAULT_* environment variables: its settings, secret
    # included, come from there and the admin pages only show it.
    from_environment = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["from_environment"], condition=models.Q(from_environment=True),
                name="identity_one_provider_from_environment",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        check_issuer(self.issuer)
        if not domain_list(self.allowed_domains):
            raise ValidationError({"allowed_domains": "Enter at least one e-mail domain, such as nhs.net."})
        bad = [domain for domain in domain_list(self.allowed_domains) if "." not in domain or "@" in domain]
        if bad:
            raise ValidationError({"allowed_domains": f"These are not e-mail domains: {', '.join(bad)}."})

    @property
    def domains(self) -> list[str]:
        return domain_list(self.allowed_domains)

    @property
    def secret(self) -> str:
        if self.from_environment:
            return settings.OIDC_DEFAULT_CLIENT_SECRET
        return self.client_secret

    def serves_domain(self, domain: str) -> bool:
        return domain.lower() in self.domains


class IdentityLink(models.Model):
    """A person's account at a provider, by the provider's issuer and subject (the pair OpenID
    Connect promises never to reuse): made on the first sign-in, matched on every later one."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="identity_links")
    provider = models.ForeignKey(IdentityProvider, null=True, on_delete=models.SET_NULL, related_name="links")
    issuer = models.CharField(max_length=500)
    subject = models.CharField(max_length=255)
    linked_at = models.DateTimeField(default=timezone.now)
    last_signed_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-linked_at"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="identity_link_unique_subject"),
            models.UniqueConstraint(fields=["issuer", "user"], name="identity_link_one_per_issuer"),
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.issuer}"
