"""The parts a speaker takes in a session (tables.py stores them on each session's speaker)."""

from enum import StrEnum


class SpeakerRole(StrEnum):
    presenter = "presenter"
    moderator = "moderator"
    group_leader = "group_leader"
    co_leader = "co_leader"
