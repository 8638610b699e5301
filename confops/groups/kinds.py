"""Where an assignment run is in its life, and the kinds of leader-training record."""

from enum import StrEnum


class RunStatus(StrEnum):
    draft = "draft"
    published = "published"
    superseded = "superseded"


class TrainingKind(StrEnum):
    intensive = "intensive"
    led = "led"  # a group meeting led or co-led
    supervision = "supervision"
