from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T07:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "groups: one leader per e-mail, one participation per person and one pin per pair in a series"

# Two staff adding the same leader or pin, or a double click on "take part", made two rows;
# with these indexes the database keeps one and the code inserts-or-ignores.
UNIQUE_INDEXES = {
    "group_leader_series_email_uq": ("group_leader", ("series", "email")),
    "group_participant_series_attendee_uq": ("group_participant", ("series", "attendee")),
    "group_pin_series_pair_uq": ("group_pin", ("series", "person_a", "person_b")),
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="confops", description=DESCRIPTION)

    async def create_unique_indexes():
        engine = engine_finder()
        # group members of a duplicate leader move to the leader's first row before it goes
        await engine.run_ddl(
            "UPDATE group_member SET leader = (SELECT MIN(k.id) FROM group_leader k, group_leader d "
            "WHERE d.id = group_member.leader AND k.series = d.series AND k.email = d.email) "
            "WHERE leader IS NOT NULL")
        for name, (table, columns) in UNIQUE_INDEXES.items():
            key = ", ".join(columns)
            await engine.run_ddl(f"DELETE FROM {table} WHERE id NOT IN (SELECT MIN(id) FROM {table} GROUP BY {key})")
            await engine.run_ddl(f"CREATE UNIQUE INDEX IF NOT EXISTS {name} ON {table} ({key})")

    async def drop_unique_indexes():
        for name in UNIQUE_INDEXES:
            await engine_finder().run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create_unique_indexes)
    manager.add_raw_backwards(drop_unique_indexes)
    return manager
