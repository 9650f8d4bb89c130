DROP INDEX `integration_connections_user_source`;--> statement-breakpoint
ALTER TABLE `integration_connections` ADD `account` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `integration_connections` ADD `account_name` text;--> statement-breakpoint
CREATE UNIQUE INDEX `integration_connections_user_source_account` ON `integration_connections` (`user_id`,`source_id`,`account`);--> statement-breakpoint
ALTER TABLE `consents` ADD `account` text DEFAULT '' NOT NULL;