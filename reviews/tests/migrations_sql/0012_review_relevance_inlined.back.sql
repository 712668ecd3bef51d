BEGIN;
--
-- Raw SQL operation
--

CREATE OR REPLACE FUNCTION review_relevance(helpfulness integer, reviewed_at timestamptz)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN ln(1 + greatest(helpfulness, 0)::double precision)
       + date_part('epoch', reviewed_at) / 2592000.0;

COMMIT;
