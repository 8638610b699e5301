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


# In words, for staff and leaders' pages.
RUN_STATUS = {"draft": "Draft", "published": "Published", "superseded": "Replaced by a later run"}
TRAINING_KIND = {"led": "Group led", "intensive": "Intensive", "supervision": "Supervision session"}
