import { createApp } from "./app";

export { UserHub } from "../durable-objects/user-hub";

const app = createApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
