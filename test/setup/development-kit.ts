import { developmentKit } from "../../src/development/kit";
import { installDevelopment } from "../../src/platform/development";

// The tests run wrangler.toml's development configuration, whose entry installs this kit when it loads; tests that
// build the app with `createApp()` before anything loaded that entry need it installed too.
installDevelopment(developmentKit);
