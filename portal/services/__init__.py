"""Use cases that change state; each takes the session and the actor, and commits once."""
