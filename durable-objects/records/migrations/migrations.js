import m0000 from "./0000_records.sql";
import m0001 from "./0001_daily_picture.sql";
import m0002 from "./0002_connection_accounts.sql";
import m0003 from "./0003_hub_tables.sql";
import journal from "./meta/_journal.json";

export default {
  journal,
  migrations: {
    m0000,
    m0001,
    m0002,
    m0003,
  },
};
