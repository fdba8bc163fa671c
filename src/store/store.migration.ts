/** One numbered schema change; both stores apply theirs in version order and record them. */
export interface Migration {
  /** 1, 2, 3, ...: the order of application, never reused. */
  version: number;
  name: string;
  sql: string;
}
