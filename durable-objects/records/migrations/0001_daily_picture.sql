CREATE TABLE `day_sources` (
	`metric` text PRIMARY KEY NOT NULL,
	`source` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `day_summaries` (
	`date` text PRIMARY KEY NOT NULL,
	`summary` text NOT NULL,
	`digest` text NOT NULL,
	`announced` text,
	`final` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `day_zones` (
	`from_date` text PRIMARY KEY NOT NULL,
	`zone` text NOT NULL,
	`updated_at` integer NOT NULL
);
