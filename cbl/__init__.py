"""Choice-based lettings and nominations: domain, database, services, public site, app and CLI."""
