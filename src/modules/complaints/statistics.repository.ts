// The query behind the public statistics: one statement, one row back, whatever the number of
// complaints. The database filters the municipality's complaints of the period, joins what the
// statistics need (the reporter's optional gender and age group, the citizen's feedback, the time
// of a refusal from the timeline) and packs one small JSON array per complaint into a single
// JSON array (json_group_array on SQLite, json_agg on PostgreSQL). statistics.service.ts counts
// and sorts in code.
//
// Why not GROUP BY and window functions: exact medians per group need one sort per grouping
// (overall, per category, gender, age group, for two delays), and SQLite re-reads or sorts the
// period's complaints for each; measured on 100,000 complaints that took seconds, where this
// statement and the counting in code take a fraction of one. Why not plain rows: handing
// 100,000 rows to JavaScript one by one costs more than the query itself; one JSON text does
// not. No names, phones, e-mails or texts are read: nothing personal leaves the database.
import { sql } from 'kysely';
import { dialectOf, type Db } from '../../db/database.ts';

export type StatisticsQuery = {
  municipalityId: number;
  /** ISO instants: created_at >= createdFrom and < createdBefore. */
  createdFrom: string;
  createdBefore: string;
};

/**
 * One complaint, as the statistics see it:
 * [status, category_id, neighbourhood_id, channel, created_at, first_response_at, resolve_due_at,
 *  final_at (resolved_at, or the refusal's time), gender, age_group, feedback resolved (0/1),
 *  satisfaction (1–5)]. Timestamps are ISO text as stored.
 */
export type StatisticsFact = [
  status: string,
  categoryId: number,
  neighbourhoodId: number | null,
  channel: string,
  createdAt: string,
  firstResponseAt: string | null,
  resolveDueAt: string,
  finalAt: string | null,
  gender: string | null,
  ageGroup: string | null,
  feedbackResolved: number | null,
  satisfaction: number | null,
];

/** The municipality's complaints of the period, one fact each (see StatisticsFact). */
export async function listStatisticsFacts(db: Db, query: StatisticsQuery): Promise<StatisticsFact[]> {
  const postgres = dialectOf(db) === 'postgres';
  const pack = postgres ? sql.raw('json_agg(json_build_array') : sql.raw('json_group_array(json_array');
  const result = await sql<{ facts: string | StatisticsFact[] | null }>`
    SELECT ${pack}(
      c.status, c.category_id, c.neighbourhood_id, c.channel, c.created_at, c.first_response_at, c.resolve_due_at,
      CASE
        WHEN c.status IN ('resolved', 'closed') THEN c.resolved_at
        -- A refusal is a final answer; its time is on the timeline (updated_at moves with any later change).
        WHEN c.status = 'rejected' THEN COALESCE(
          (SELECT MAX(e.created_at) FROM complaint_events e WHERE e.complaint_id = c.id AND e.to_status = 'rejected'),
          c.updated_at)
      END,
      u.gender, u.age_group, f.resolved, f.satisfaction
    )) AS facts
    FROM complaints c
    LEFT JOIN users u ON u.id = c.reporter_user_id AND u.municipality_id = c.municipality_id
    LEFT JOIN complaint_feedback f ON f.complaint_id = c.id
    WHERE c.municipality_id = ${query.municipalityId} AND c.created_at >= ${query.createdFrom} AND c.created_at < ${query.createdBefore}
  `.execute(db);
  const facts = result.rows[0]?.facts ?? null;
  if (facts === null) return [];
  // PostgreSQL's driver parses json columns; SQLite gives the text.
  return typeof facts === 'string' ? (JSON.parse(facts) as StatisticsFact[]) : facts;
}
