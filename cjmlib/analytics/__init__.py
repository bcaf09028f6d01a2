"""Behaviour analytics: engine tables in, small tidy tables out, every rate with its denominator and interval."""
