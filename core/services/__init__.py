"""Service verbs: one function per action a user (or the scheduler) can take on a case or task."""
