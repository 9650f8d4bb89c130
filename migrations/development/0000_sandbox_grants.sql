CREATE TABLE `sandbox_grants` (
	`id` text PRIMARY KEY NOT NULL,
	`provider` text NOT NULL,
	`subject` text NOT NULL,
	`code_hash` text NOT NULL,
	`refresh_token_hash` text,
	`scope` text NOT NULL,
	`revoked_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sandbox_grants_code` ON `sandbox_grants` (`code_hash`);--> statement-breakpoint
CREATE INDEX `sandbox_grants_refresh` ON `sandbox_grants` (`refresh_token_hash`);