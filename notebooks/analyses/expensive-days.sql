-- name: expensive-days
-- summary: The days that cost the most, each with the model that cost the most that day.
-- param: since date default=-30d help=First day counted (inclusive).
-- param: limit int default=5 help=How many days.
-- chart: bar day cost_usd
-- An example of a SQL-file analysis: load it with `tally --plugins notebooks/analyses`, or
-- copy it to ./analyses/ or ~/.config/tally/analyses/. Days are dates in the session time
-- zone (:tz: --tz or .set tz); :since is bound as a timestamp, never spliced into the text.
WITH by_model AS (
    SELECT tz_date(started_at, :tz) AS day, model,
           count(*) AS calls, sum(total_tokens) AS total_tokens, sum(cost_nanos) AS cost_nanos
    FROM calls
    WHERE started_at >= :since
    GROUP BY day, model
)
SELECT day,
       sum(calls)                AS calls,
       sum(total_tokens)         AS total_tokens,
       usd(sum(cost_nanos))      AS cost_usd,
       (SELECT m.model FROM by_model m WHERE m.day = d.day
        ORDER BY m.cost_nanos DESC, m.model LIMIT 1) AS top_model
FROM by_model d
GROUP BY day
ORDER BY sum(cost_nanos) DESC, day
LIMIT :limit;
