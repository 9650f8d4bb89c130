CREATE TABLE `records` (
	`id` integer PRIMARY KEY NOT NULL,
	`source` text NOT NULL,
	`kind` text NOT NULL,
	`external_id` text NOT NULL,
	`start_time` integer NOT NULL,
	`end_time` integer,
	`data` text NOT NULL,
	`raw` text,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `records_identity` ON `records` (`source`,`kind`,`external_id`);--> statement-breakpoint
CREATE INDEX `records_kind_time` ON `records` (`kind`,`start_time`);--> statement-breakpoint
CREATE INDEX `records_time` ON `records` (`start_time`);