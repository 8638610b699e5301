"""Speakers (faculty) and their roles in sessions."""

from enum import StrEnum

from piccolo.columns import ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from confops.accounts.tables import User
from confops.events.tables import Organizer, Session


class SpeakerRole(StrEnum):
    presenter = "presenter"
    moderator = "moderator"
    group_leader = "group_leader"
    co_leader = "co_leader"


class Speaker(Table):
    organizer = ForeignKey(Organizer, on_delete=OnDelete.restrict, null=False)
    user = ForeignKey(User, on_delete=OnDelete.set_null, null=True)
    first_name = Varchar(length=100)
    last_name = Varchar(length=100)
    credentials = Varchar(length=100, help_text="MD, DO, PhD, LCSW …")
    pronouns = Varchar(length=40)
    institution = Varchar(length=200)
    city_region = Varchar(length=120)
    bio = Text()
    email = Varchar(length=254, index=True)
    photo_path = Varchar(length=300)
    created_at = Timestamptz(default=TimestamptzNow())


class SessionSpeaker(Table):
    session = ForeignKey(Session, on_delete=OnDelete.cascade, null=False)
    speaker = ForeignKey(Speaker, on_delete=OnDelete.restrict, null=False)
    role = Varchar(length=20, choices=SpeakerRole, default=SpeakerRole.presenter.value)
    position = Integer(default=0)
