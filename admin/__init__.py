"""Staff and provider sites."""
