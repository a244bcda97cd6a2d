"""Scheduled programmes: rules, expansion into slots, the programme service, the APScheduler engine."""
