from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T14:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "checkin: a scan's list and device are checked by triggers, not row-locking foreign keys (PostgreSQL)"

# Why (PostgreSQL only; SQLite keeps its foreign keys, which lock nothing):
# a foreign key checks the referenced row with SELECT … FOR KEY SHARE. Every scan at a door
# references the same list row and the same device row, so concurrent scans kept locking those
# two rows together: each lock rewrites the row's locker (a MultiXact once two overlap), dirties
# its page and writes WAL (bench/checkin_scan.py). These triggers keep the same guarantees
# without the lock:
# - a scan is only written for a list and a device that exist (checked by a read in the row's
#   own trigger; the read takes a fresh snapshot, so a delete committed meanwhile is seen);
# - a list or device with scans cannot be deleted, and renumbering one carries its scans along
#   (ON DELETE RESTRICT, ON UPDATE CASCADE, as the foreign keys were). The guard first takes
#   SHARE on checkin_scan, which waits for scans being written right now and holds new ones off
#   until the change is over, so a scan and a delete cannot pass each other.
# Errors keep the foreign key's SQLSTATE (23503), so callers see the same exception.
# Measured (bench/checkin_scan.py, 4 alternating runs each, same machine and hour): with the
# foreign keys p99 24.1, 37.1, 34.4, 28.3 ms; with these triggers 24.7, 23.0, 26.0, 28.3 ms.
_UP = (
    """CREATE OR REPLACE FUNCTION checkin_scan_refs_exist() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM checkin_list WHERE id = NEW.checkin_list;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'insert or update on table "checkin_scan" violates its reference to "checkin_list"'
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = format('Key (checkin_list)=(%s) is not present in table "checkin_list".', NEW.checkin_list);
    END IF;
    IF NEW.device IS NOT NULL THEN
        PERFORM 1 FROM scanner_device WHERE id = NEW.device;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'insert or update on table "checkin_scan" violates its reference to "scanner_device"'
                USING ERRCODE = 'foreign_key_violation',
                      DETAIL = format('Key (device)=(%s) is not present in table "scanner_device".', NEW.device);
        END IF;
    END IF;
    RETURN NEW;
END $$;""",
    """CREATE OR REPLACE FUNCTION checkin_scan_keep_refs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE checkin_scan IN SHARE MODE;
    IF TG_OP = 'DELETE' THEN
        IF TG_TABLE_NAME = 'checkin_list' THEN
            PERFORM 1 FROM checkin_scan WHERE checkin_list = OLD.id LIMIT 1;
        ELSE
            PERFORM 1 FROM checkin_scan WHERE device = OLD.id LIMIT 1;
        END IF;
        IF FOUND THEN
            RAISE EXCEPTION 'update or delete on table "%" violates its reference from table "checkin_scan"', TG_TABLE_NAME
                USING ERRCODE = 'foreign_key_violation',
                      DETAIL = format('Key (id)=(%s) is still referenced from table "checkin_scan".', OLD.id);
        END IF;
        RETURN OLD;
    END IF;
    IF TG_TABLE_NAME = 'checkin_list' THEN
        UPDATE checkin_scan SET checkin_list = NEW.id WHERE checkin_list = OLD.id;
    ELSE
        UPDATE checkin_scan SET device = NEW.id WHERE device = OLD.id;
    END IF;
    RETURN NULL;
END $$;""",
    "ALTER TABLE checkin_scan DROP CONSTRAINT IF EXISTS checkin_scan_checkin_list_fkey;",
    "ALTER TABLE checkin_scan DROP CONSTRAINT IF EXISTS checkin_scan_device_fkey;",
    """CREATE TRIGGER checkin_scan_refs_exist BEFORE INSERT OR UPDATE OF checkin_list, device ON checkin_scan
    FOR EACH ROW EXECUTE FUNCTION checkin_scan_refs_exist();""",
    """CREATE TRIGGER checkin_list_keep_scans BEFORE DELETE ON checkin_list
    FOR EACH ROW EXECUTE FUNCTION checkin_scan_keep_refs();""",
    """CREATE TRIGGER checkin_list_keep_scans_id AFTER UPDATE OF id ON checkin_list
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION checkin_scan_keep_refs();""",
    """CREATE TRIGGER scanner_device_keep_scans BEFORE DELETE ON scanner_device
    FOR EACH ROW EXECUTE FUNCTION checkin_scan_keep_refs();""",
    """CREATE TRIGGER scanner_device_keep_scans_id AFTER UPDATE OF id ON scanner_device
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION checkin_scan_keep_refs();""",
)

_DOWN = (
    "DROP TRIGGER IF EXISTS checkin_scan_refs_exist ON checkin_scan;",
    "DROP TRIGGER IF EXISTS checkin_list_keep_scans ON checkin_list;",
    "DROP TRIGGER IF EXISTS checkin_list_keep_scans_id ON checkin_list;",
    "DROP TRIGGER IF EXISTS scanner_device_keep_scans ON scanner_device;",
    "DROP TRIGGER IF EXISTS scanner_device_keep_scans_id ON scanner_device;",
    "DROP FUNCTION IF EXISTS checkin_scan_refs_exist();",
    "DROP FUNCTION IF EXISTS checkin_scan_keep_refs();",
    """ALTER TABLE checkin_scan ADD CONSTRAINT checkin_scan_checkin_list_fkey
    FOREIGN KEY (checkin_list) REFERENCES checkin_list (id) ON UPDATE CASCADE ON DELETE RESTRICT;""",
    """ALTER TABLE checkin_scan ADD CONSTRAINT checkin_scan_device_fkey
    FOREIGN KEY (device) REFERENCES scanner_device (id) ON UPDATE CASCADE ON DELETE RESTRICT;""",
)


async def _on_postgres(statements: tuple[str, ...]) -> None:
    """One statement at a time (run_ddl prepares what it runs); nothing on SQLite."""
    engine = engine_finder()
    if engine.engine_type == "postgres":
        for statement in statements:
            await engine.run_ddl(statement)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="confops", description=DESCRIPTION)

    async def triggers_instead_of_foreign_keys():
        await _on_postgres(_UP)

    async def foreign_keys_again():
        await _on_postgres(_DOWN)

    manager.add_raw(triggers_instead_of_foreign_keys)
    manager.add_raw_backwards(foreign_keys_again)
    return manager
