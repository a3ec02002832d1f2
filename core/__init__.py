"""The domain: organisation, cases, tasks, deadlines, audit. Imports no platform, bot or HTTP code."""
