CREATE TABLE `maintenance_cursors` (
	`name` text PRIMARY KEY NOT NULL,
	`cursor` text,
	`done` integer DEFAULT 0 NOT NULL,
	`finished_at` integer,
	`updated_at` integer NOT NULL
);
