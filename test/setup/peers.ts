/**
 * The loopback peers the global setup starts, handed to the Worker as a JSON binding (hence a type alias, not
 * an interface).
 */
export type Peers = {
  /** Origin of the OAuth peer (oauth2-mock-server behind a fault-injecting front). */
  oauth: string;
};
