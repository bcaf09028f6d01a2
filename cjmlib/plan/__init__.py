"""From evidence to action: KPI baselines and targets, opportunity scoring, sizing, experiments."""
