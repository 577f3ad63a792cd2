-- demo-table.sql - the summary table of `make demo`: the latest evaluation of every
-- procurement under every criteria set, lowest score first, with its report file
-- (the result of the render job; :reports is the reports directory, cut from the path).
-- The ocid is printed whole, so that it can be passed to `procaudit show`; the buyer is cut
-- and the report path comes last, whole.
WITH latest AS (
    SELECT DISTINCT ON (ocid, set_id) id, ocid, set_id, overall, band, coverage, n_flags
    FROM evaluations
    ORDER BY ocid, set_id, id DESC
)
SELECT l.ocid AS procurement,
       left(coalesce(p.buyer_name, p.buyer_id, '?'), 28) AS buyer,
       l.set_id AS "criteria set",
       coalesce(to_char(l.overall, 'FM990.0'), 'n/a') AS overall,
       l.band,
       to_char(l.coverage * 100, 'FM990') || '%' AS coverage,
       l.n_flags AS flags,
       coalesce(replace(r.result, :'reports', ''), '-') AS report
FROM latest l
LEFT JOIN procurements p ON p.ocid = l.ocid
LEFT JOIN LATERAL (
    SELECT j.result FROM jobs j
    WHERE j.kind = 'render' AND j.state = 'done' AND j.ocid = l.ocid AND j.set_id = l.set_id
    ORDER BY j.id DESC LIMIT 1
) r ON true
ORDER BY l.overall NULLS LAST, l.ocid, l.set_id;
