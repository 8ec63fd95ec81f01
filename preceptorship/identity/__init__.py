"""Single sign-on with an organisation's own OpenID Connect provider (Microsoft Entra ID, NHSmail
and the like): the providers an administrator configures, the links between a person here and
their account at the provider, and the sign-in and sign-out journeys."""
