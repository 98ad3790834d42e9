"""Every write to a ketenmachtiging. Views, admin actions, jobs and imports call these."""
