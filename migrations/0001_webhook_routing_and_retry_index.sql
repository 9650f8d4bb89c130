DROP INDEX `integration_connections_due`;--> statement-breakpoint
CREATE INDEX `integration_connections_external` ON `integration_connections` (`source_id`,`external_user_id`);--> statement-breakpoint
CREATE INDEX `integration_connections_due` ON `integration_connections` (`next_sync_at`) WHERE status IN ('connected', 'error');