-- Edited by hand after drizzle-kit generated it; meta/0003_snapshot.json is drizzle-kit's, unchanged, and describes
-- the schema this file ends with. Why: these tables were created by hand (CREATE TABLE IF NOT EXISTS in the
-- UserHub's, the Dexcom stream's and the day store's constructors) before they moved into the schema, so an
-- object already running has them, with rows, and a new object has none. `IF NOT EXISTS` adopts an existing table
-- as it is: it was created with exactly these columns. `pending_authorizations` gained `browser_binding` and then
-- `health_system` by ALTER TABLE, so an object may hold it with neither, the first, or both (SQLite has no ADD
-- COLUMN IF NOT EXISTS): the table is rebuilt (create, copy, drop, rename), and the copy's NATURAL LEFT JOIN with
-- a one-row (`browser_binding`, `health_system`) reads each column from the old table where it has it and NULL
-- where it does not.
CREATE TABLE IF NOT EXISTS `day_live` (
	`date` text PRIMARY KEY,
	`recomputed_at` integer,
	`dirty` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS `live_schedule` (
	`source` text PRIMARY KEY,
	`due` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS `meta` (
	`key` text PRIMARY KEY,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS `pending_authorizations` (
	`state` text PRIMARY KEY,
	`source` text NOT NULL,
	`code_verifier` text,
	`mode` text NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `__new_pending_authorizations` (
	`state` text PRIMARY KEY,
	`source` text NOT NULL,
	`code_verifier` text,
	`mode` text NOT NULL,
	`expires_at` integer NOT NULL,
	`browser_binding` text,
	`health_system` text
);
--> statement-breakpoint
INSERT INTO `__new_pending_authorizations` (`state`, `source`, `code_verifier`, `mode`, `expires_at`, `browser_binding`, `health_system`)
	SELECT `state`, `source`, `code_verifier`, `mode`, `expires_at`, `browser_binding`, `health_system`
	FROM `pending_authorizations` NATURAL LEFT JOIN (SELECT NULL AS `browser_binding`, NULL AS `health_system`);
--> statement-breakpoint
DROP TABLE `pending_authorizations`;
--> statement-breakpoint
ALTER TABLE `__new_pending_authorizations` RENAME TO `pending_authorizations`;
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS `dexcom_stream` (
	`key` text PRIMARY KEY,
	`value` text
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS `glucose_recent` (
	`record_id` text PRIMARY KEY,
	`system_time` integer NOT NULL,
	`mgdl` integer NOT NULL,
	`trend` text NOT NULL,
	`status` text
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS `glucose_recent_time` ON `glucose_recent` (`system_time`);
