"""Scheduled jobs: opening and closing bidding cycles."""
