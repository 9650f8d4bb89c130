CREATE TABLE `catalog_items` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`form` text NOT NULL,
	`units` text NOT NULL,
	`synonyms` text NOT NULL,
	`source` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `catalog_items_kind_name` ON `catalog_items` (`kind`,`name`);