BEGIN;
--
-- Create model ProductMetaCell
--
CREATE TABLE "product_meta_cells" ("product_id" integer NOT NULL, "rating" smallint NOT NULL, "recommend" boolean NOT NULL, "with_photos" boolean NOT NULL, "review_count" integer NOT NULL, PRIMARY KEY ("product_id", "rating", "recommend", "with_photos"));
--
-- Create model CharacteristicMetaCell
--
CREATE TABLE "characteristic_meta_cells" ("rating" smallint NOT NULL, "recommend" boolean NOT NULL, "with_photos" boolean NOT NULL, "value_1" integer NOT NULL, "value_2" integer NOT NULL, "value_3" integer NOT NULL, "value_4" integer NOT NULL, "value_5" integer NOT NULL, "characteristic_id" integer NOT NULL, PRIMARY KEY ("characteristic_id", "rating", "recommend", "with_photos"));
--
-- Raw SQL operation
--

CREATE VIEW product_meta_cells_fresh AS
SELECT r.product_id, r.rating, r.recommend, EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id) AS with_photos,
       count(*)::integer AS review_count
FROM reviews r
WHERE NOT r.reported
GROUP BY 1, 2, 3, 4
;
--
-- Raw SQL operation
--

CREATE VIEW characteristic_meta_cells_fresh AS
SELECT c.characteristic_id, r.rating, r.recommend, EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id) AS with_photos,
       count(*) FILTER (WHERE c.value = 1)::integer AS value_1,
       count(*) FILTER (WHERE c.value = 2)::integer AS value_2,
       count(*) FILTER (WHERE c.value = 3)::integer AS value_3,
       count(*) FILTER (WHERE c.value = 4)::integer AS value_4,
       count(*) FILTER (WHERE c.value = 5)::integer AS value_5
FROM characteristic_reviews c
JOIN reviews r ON r.id = c.review_id
WHERE NOT r.reported
GROUP BY 1, 2, 3, 4
;
--
-- Raw SQL operation
--
LOCK TABLE reviews, characteristic_reviews, reviews_photos IN SHARE MODE;
--
-- Raw SQL operation
--

CREATE FUNCTION reviews_meta_insert_cells() RETURNS trigger LANGUAGE plpgsql AS $function$
BEGIN
LOCK TABLE product_meta, characteristic_meta, product_meta_cells, characteristic_meta_cells IN ROW EXCLUSIVE MODE;

INSERT INTO product_meta_cells AS m (product_id, rating, recommend, with_photos, review_count)
SELECT d.product_id, d.rating, d.recommend, d.with_photos,
       coalesce(sum(d.sign) FILTER (WHERE true), 0)
FROM (SELECT r.product_id, r.rating, r.recommend, EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id) AS with_photos, 1 AS sign FROM new_rows r WHERE NOT r.reported) AS d
GROUP BY d.product_id, d.rating, d.recommend, d.with_photos
HAVING sum(d.sign) FILTER (WHERE true) <> 0
ORDER BY d.product_id, d.rating, d.recommend, d.with_photos
ON CONFLICT (product_id, rating, recommend, with_photos) DO UPDATE SET
    review_count = m.review_count + excluded.review_count;

INSERT INTO characteristic_meta_cells AS m (characteristic_id, rating, recommend, with_photos, value_1, value_2, value_3, value_4, value_5)
SELECT d.characteristic_id, d.rating, d.recommend, d.with_photos,
       coalesce(sum(d.sign) FILTER (WHERE d.value = 1), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 2), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 3), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 4), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 5), 0)
FROM (SELECT c.characteristic_id, r.rating, r.recommend, EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id) AS with_photos, c.value, 1 AS sign FROM new_rows r JOIN characteristic_reviews c ON c.review_id = r.id WHERE NOT r.reported) AS d
GROUP BY d.characteristic_id, d.rating, d.recommend, d.with_photos
HAVING sum(d.sign) FILTER (WHERE d.value = 1) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 2) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 3) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 4) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 5) <> 0
ORDER BY d.characteristic_id, d.rating, d.recommend, d.with_photos
ON CONFLICT (characteristic_id, rating, recommend, with_photos) DO UPDATE SET
    value_1 = m.value_1 + excluded.value_1,
    value_2 = m.value_2 + excluded.value_2,
    value_3 = m.value_3 + excluded.value_3,
    value_4 = m.value_4 + excluded.value_4,
    value_5 = m.value_5 + excluded.value_5;
RETURN NULL;
END
$function$;
CREATE TRIGGER reviews_meta_insert_cells AFTER INSERT ON reviews
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reviews_meta_insert_cells();

--
-- Raw SQL operation
--

CREATE FUNCTION reviews_meta_update_cells() RETURNS trigger LANGUAGE plpgsql AS $function$
BEGIN
IF NOT EXISTS (SELECT * FROM new_rows x WHERE NOT EXISTS (SELECT FROM old_rows y WHERE (y.id, y.product_id, y.rating, y.recommend, y.reported) = (x.id, x.product_id, x.rating, x.recommend, x.reported))) AND NOT EXISTS (SELECT * FROM old_rows x WHERE NOT EXISTS (SELECT FROM new_rows y WHERE (y.id, y.product_id, y.rating, y.recommend, y.reported) = (x.id, x.product_id, x.rating, x.recommend, x.reported))) THEN
    RETURN NULL;
END IF;
LOCK TABLE product_meta, characteristic_meta, product_meta_cells, characteristic_meta_cells IN ROW EXCLUSIVE MODE;

INSERT INTO product_meta_cells AS m (product_id, rating, recommend, with_photos, review_count)
SELECT d.product_id, d.rating, d.recommend, d.with_photos,
       coalesce(sum(d.sign) FILTER (WHERE true), 0)
FROM (SELECT r.product_id, r.rating, r.recommend, EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id) AS with_photos, -1 AS sign FROM (SELECT * FROM old_rows x WHERE NOT EXISTS (SELECT FROM new_rows y WHERE (y.id, y.product_id, y.rating, y.recommend, y.reported) = (x.id, x.product_id, x.rating, x.recommend, x.reported))) r WHERE NOT r.reported
UNION ALL
SELECT r.product_id, r.rating, r.recommend, EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id) AS with_photos, 1 AS sign FROM (SELECT * FROM new_rows x WHERE NOT EXISTS (SELECT FROM old_rows y WHERE (y.id, y.product_id, y.rating, y.recommend, y.reported) = (x.id, x.product_id, x.rating, x.recommend, x.reported))) r WHERE NOT r.reported) AS d
GROUP BY d.product_id, d.rating, d.recommend, d.with_photos
HAVING sum(d.sign) FILTER (WHERE true) <> 0
ORDER BY d.product_id, d.rating, d.recommend, d.with_photos
ON CONFLICT (product_id, rating, recommend, with_photos) DO UPDATE SET
    review_count = m.review_count + excluded.review_count;

INSERT INTO characteristic_meta_cells AS m (characteristic_id, rating, recommend, with_photos, value_1, value_2, value_3, value_4, value_5)
SELECT d.characteristic_id, d.rating, d.recommend, d.with_photos,
       coalesce(sum(d.sign) FILTER (WHERE d.value = 1), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 2), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 3), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 4), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 5), 0)
FROM (SELECT c.characteristic_id, r.rating, r.recommend, EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id) AS with_photos, c.value, -1 AS sign FROM (SELECT * FROM old_rows x WHERE NOT EXISTS (SELECT FROM new_rows y WHERE (y.id, y.rating, y.recommend, y.reported) = (x.id, x.rating, x.recommend, x.reported))) r JOIN characteristic_reviews c ON c.review_id = r.id WHERE NOT r.reported
UNION ALL
SELECT c.characteristic_id, r.rating, r.recommend, EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id) AS with_photos, c.value, 1 AS sign FROM (SELECT * FROM new_rows x WHERE NOT EXISTS (SELECT FROM old_rows y WHERE (y.id, y.rating, y.recommend, y.reported) = (x.id, x.rating, x.recommend, x.reported))) r JOIN characteristic_reviews c ON c.review_id = r.id WHERE NOT r.reported) AS d
GROUP BY d.characteristic_id, d.rating, d.recommend, d.with_photos
HAVING sum(d.sign) FILTER (WHERE d.value = 1) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 2) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 3) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 4) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 5) <> 0
ORDER BY d.characteristic_id, d.rating, d.recommend, d.with_photos
ON CONFLICT (characteristic_id, rating, recommend, with_photos) DO UPDATE SET
    value_1 = m.value_1 + excluded.value_1,
    value_2 = m.value_2 + excluded.value_2,
    value_3 = m.value_3 + excluded.value_3,
    value_4 = m.value_4 + excluded.value_4,
    value_5 = m.value_5 + excluded.value_5;
RETURN NULL;
END
$function$;
CREATE TRIGGER reviews_meta_update_cells AFTER UPDATE ON reviews
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reviews_meta_update_cells();

--
-- Raw SQL operation
--

CREATE FUNCTION reviews_meta_delete_cells() RETURNS trigger LANGUAGE plpgsql AS $function$
BEGIN
LOCK TABLE product_meta, characteristic_meta, product_meta_cells, characteristic_meta_cells IN ROW EXCLUSIVE MODE;

INSERT INTO product_meta_cells AS m (product_id, rating, recommend, with_photos, review_count)
SELECT d.product_id, d.rating, d.recommend, d.with_photos,
       coalesce(sum(d.sign) FILTER (WHERE true), 0)
FROM (SELECT r.product_id, r.rating, r.recommend, EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id) AS with_photos, -1 AS sign FROM old_rows r WHERE NOT r.reported) AS d
GROUP BY d.product_id, d.rating, d.recommend, d.with_photos
HAVING sum(d.sign) FILTER (WHERE true) <> 0
ORDER BY d.product_id, d.rating, d.recommend, d.with_photos
ON CONFLICT (product_id, rating, recommend, with_photos) DO UPDATE SET
    review_count = m.review_count + excluded.review_count;

INSERT INTO characteristic_meta_cells AS m (characteristic_id, rating, recommend, with_photos, value_1, value_2, value_3, value_4, value_5)
SELECT d.characteristic_id, d.rating, d.recommend, d.with_photos,
       coalesce(sum(d.sign) FILTER (WHERE d.value = 1), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 2), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 3), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 4), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 5), 0)
FROM (SELECT c.characteristic_id, r.rating, r.recommend, EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id) AS with_photos, c.value, -1 AS sign FROM old_rows r JOIN characteristic_reviews c ON c.review_id = r.id WHERE NOT r.reported) AS d
GROUP BY d.characteristic_id, d.rating, d.recommend, d.with_photos
HAVING sum(d.sign) FILTER (WHERE d.value = 1) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 2) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 3) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 4) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 5) <> 0
ORDER BY d.characteristic_id, d.rating, d.recommend, d.with_photos
ON CONFLICT (characteristic_id, rating, recommend, with_photos) DO UPDATE SET
    value_1 = m.value_1 + excluded.value_1,
    value_2 = m.value_2 + excluded.value_2,
    value_3 = m.value_3 + excluded.value_3,
    value_4 = m.value_4 + excluded.value_4,
    value_5 = m.value_5 + excluded.value_5;
RETURN NULL;
END
$function$;
CREATE TRIGGER reviews_meta_delete_cells AFTER DELETE ON reviews
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION reviews_meta_delete_cells();

--
-- Raw SQL operation
--

CREATE FUNCTION characteristic_reviews_meta_insert_cells() RETURNS trigger LANGUAGE plpgsql AS $function$
BEGIN
LOCK TABLE product_meta, characteristic_meta, product_meta_cells, characteristic_meta_cells IN ROW EXCLUSIVE MODE;

INSERT INTO characteristic_meta_cells AS m (characteristic_id, rating, recommend, with_photos, value_1, value_2, value_3, value_4, value_5)
SELECT d.characteristic_id, d.rating, d.recommend, d.with_photos,
       coalesce(sum(d.sign) FILTER (WHERE d.value = 1), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 2), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 3), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 4), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 5), 0)
FROM (SELECT c.characteristic_id, r.rating, r.recommend, EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id) AS with_photos, c.value, 1 AS sign FROM new_rows c JOIN reviews r ON r.id = c.review_id WHERE NOT r.reported) AS d
GROUP BY d.characteristic_id, d.rating, d.recommend, d.with_photos
HAVING sum(d.sign) FILTER (WHERE d.value = 1) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 2) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 3) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 4) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 5) <> 0
ORDER BY d.characteristic_id, d.rating, d.recommend, d.with_photos
ON CONFLICT (characteristic_id, rating, recommend, with_photos) DO UPDATE SET
    value_1 = m.value_1 + excluded.value_1,
    value_2 = m.value_2 + excluded.value_2,
    value_3 = m.value_3 + excluded.value_3,
    value_4 = m.value_4 + excluded.value_4,
    value_5 = m.value_5 + excluded.value_5;
RETURN NULL;
END
$function$;
CREATE TRIGGER characteristic_reviews_meta_insert_cells AFTER INSERT ON characteristic_reviews
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION characteristic_reviews_meta_insert_cells();

--
-- Raw SQL operation
--

CREATE FUNCTION characteristic_reviews_meta_update_cells() RETURNS trigger LANGUAGE plpgsql AS $function$
BEGIN
IF NOT EXISTS (SELECT * FROM new_rows x WHERE NOT EXISTS (SELECT FROM old_rows y WHERE (y.id, y.characteristic_id, y.review_id, y.value) = (x.id, x.characteristic_id, x.review_id, x.value))) AND NOT EXISTS (SELECT * FROM old_rows x WHERE NOT EXISTS (SELECT FROM new_rows y WHERE (y.id, y.characteristic_id, y.review_id, y.value) = (x.id, x.characteristic_id, x.review_id, x.value))) THEN
    RETURN NULL;
END IF;
LOCK TABLE product_meta, characteristic_meta, product_meta_cells, characteristic_meta_cells IN ROW EXCLUSIVE MODE;

INSERT INTO characteristic_meta_cells AS m (characteristic_id, rating, recommend, with_photos, value_1, value_2, value_3, value_4, value_5)
SELECT d.characteristic_id, d.rating, d.recommend, d.with_photos,
       coalesce(sum(d.sign) FILTER (WHERE d.value = 1), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 2), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 3), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 4), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 5), 0)
FROM (SELECT c.characteristic_id, r.rating, r.recommend, EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id) AS with_photos, c.value, -1 AS sign FROM (SELECT * FROM old_rows x WHERE NOT EXISTS (SELECT FROM new_rows y WHERE (y.id, y.characteristic_id, y.review_id, y.value) = (x.id, x.characteristic_id, x.review_id, x.value))) c JOIN reviews r ON r.id = c.review_id WHERE NOT r.reported
UNION ALL
SELECT c.characteristic_id, r.rating, r.recommend, EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id) AS with_photos, c.value, 1 AS sign FROM (SELECT * FROM new_rows x WHERE NOT EXISTS (SELECT FROM old_rows y WHERE (y.id, y.characteristic_id, y.review_id, y.value) = (x.id, x.characteristic_id, x.review_id, x.value))) c JOIN reviews r ON r.id = c.review_id WHERE NOT r.reported) AS d
GROUP BY d.characteristic_id, d.rating, d.recommend, d.with_photos
HAVING sum(d.sign) FILTER (WHERE d.value = 1) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 2) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 3) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 4) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 5) <> 0
ORDER BY d.characteristic_id, d.rating, d.recommend, d.with_photos
ON CONFLICT (characteristic_id, rating, recommend, with_photos) DO UPDATE SET
    value_1 = m.value_1 + excluded.value_1,
    value_2 = m.value_2 + excluded.value_2,
    value_3 = m.value_3 + excluded.value_3,
    value_4 = m.value_4 + excluded.value_4,
    value_5 = m.value_5 + excluded.value_5;
RETURN NULL;
END
$function$;
CREATE TRIGGER characteristic_reviews_meta_update_cells AFTER UPDATE ON characteristic_reviews
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION characteristic_reviews_meta_update_cells();

--
-- Raw SQL operation
--

CREATE FUNCTION characteristic_reviews_meta_delete_cells() RETURNS trigger LANGUAGE plpgsql AS $function$
BEGIN
LOCK TABLE product_meta, characteristic_meta, product_meta_cells, characteristic_meta_cells IN ROW EXCLUSIVE MODE;

INSERT INTO characteristic_meta_cells AS m (characteristic_id, rating, recommend, with_photos, value_1, value_2, value_3, value_4, value_5)
SELECT d.characteristic_id, d.rating, d.recommend, d.with_photos,
       coalesce(sum(d.sign) FILTER (WHERE d.value = 1), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 2), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 3), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 4), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 5), 0)
FROM (SELECT c.characteristic_id, r.rating, r.recommend, EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id) AS with_photos, c.value, -1 AS sign FROM old_rows c JOIN reviews r ON r.id = c.review_id WHERE NOT r.reported) AS d
GROUP BY d.characteristic_id, d.rating, d.recommend, d.with_photos
HAVING sum(d.sign) FILTER (WHERE d.value = 1) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 2) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 3) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 4) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 5) <> 0
ORDER BY d.characteristic_id, d.rating, d.recommend, d.with_photos
ON CONFLICT (characteristic_id, rating, recommend, with_photos) DO UPDATE SET
    value_1 = m.value_1 + excluded.value_1,
    value_2 = m.value_2 + excluded.value_2,
    value_3 = m.value_3 + excluded.value_3,
    value_4 = m.value_4 + excluded.value_4,
    value_5 = m.value_5 + excluded.value_5;
RETURN NULL;
END
$function$;
CREATE TRIGGER characteristic_reviews_meta_delete_cells AFTER DELETE ON characteristic_reviews
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION characteristic_reviews_meta_delete_cells();

--
-- Raw SQL operation
--

CREATE FUNCTION reviews_photos_meta_insert_cells() RETURNS trigger LANGUAGE plpgsql AS $function$
BEGIN
LOCK TABLE product_meta, characteristic_meta, product_meta_cells, characteristic_meta_cells IN ROW EXCLUSIVE MODE;
PERFORM FROM reviews WHERE id IN (SELECT review_id FROM new_rows) ORDER BY id FOR NO KEY UPDATE;
IF NOT EXISTS (SELECT * FROM (SELECT r.id, r.product_id, r.rating, r.recommend, (EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id AND NOT EXISTS (SELECT FROM new_rows n WHERE n.id = p.id))) AS had, EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id) AS has FROM reviews r WHERE r.id IN (SELECT review_id FROM new_rows) AND NOT r.reported) m WHERE m.had <> m.has) THEN
    RETURN NULL;
END IF;
PERFORM FROM product_meta WHERE product_id IN (SELECT m.product_id FROM (SELECT * FROM (SELECT r.id, r.product_id, r.rating, r.recommend, (EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id AND NOT EXISTS (SELECT FROM new_rows n WHERE n.id = p.id))) AS had, EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id) AS has FROM reviews r WHERE r.id IN (SELECT review_id FROM new_rows) AND NOT r.reported) m WHERE m.had <> m.has) m) ORDER BY product_id FOR NO KEY UPDATE;
UPDATE product_meta SET version = version WHERE product_id IN (SELECT m.product_id FROM (SELECT * FROM (SELECT r.id, r.product_id, r.rating, r.recommend, (EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id AND NOT EXISTS (SELECT FROM new_rows n WHERE n.id = p.id))) AS had, EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id) AS has FROM reviews r WHERE r.id IN (SELECT review_id FROM new_rows) AND NOT r.reported) m WHERE m.had <> m.has) m);

INSERT INTO product_meta_cells AS m (product_id, rating, recommend, with_photos, review_count)
SELECT d.product_id, d.rating, d.recommend, d.with_photos,
       coalesce(sum(d.sign) FILTER (WHERE true), 0)
FROM (SELECT m.product_id, m.rating, m.recommend, m.had AS with_photos, -1 AS sign FROM (SELECT * FROM (SELECT r.id, r.product_id, r.rating, r.recommend, (EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id AND NOT EXISTS (SELECT FROM new_rows n WHERE n.id = p.id))) AS had, EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id) AS has FROM reviews r WHERE r.id IN (SELECT review_id FROM new_rows) AND NOT r.reported) m WHERE m.had <> m.has) m
UNION ALL
SELECT m.product_id, m.rating, m.recommend, m.has AS with_photos, 1 AS sign FROM (SELECT * FROM (SELECT r.id, r.product_id, r.rating, r.recommend, (EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id AND NOT EXISTS (SELECT FROM new_rows n WHERE n.id = p.id))) AS had, EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id) AS has FROM reviews r WHERE r.id IN (SELECT review_id FROM new_rows) AND NOT r.reported) m WHERE m.had <> m.has) m) AS d
GROUP BY d.product_id, d.rating, d.recommend, d.with_photos
HAVING sum(d.sign) FILTER (WHERE true) <> 0
ORDER BY d.product_id, d.rating, d.recommend, d.with_photos
ON CONFLICT (product_id, rating, recommend, with_photos) DO UPDATE SET
    review_count = m.review_count + excluded.review_count;

INSERT INTO characteristic_meta_cells AS m (characteristic_id, rating, recommend, with_photos, value_1, value_2, value_3, value_4, value_5)
SELECT d.characteristic_id, d.rating, d.recommend, d.with_photos,
       coalesce(sum(d.sign) FILTER (WHERE d.value = 1), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 2), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 3), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 4), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 5), 0)
FROM (SELECT c.characteristic_id, m.rating, m.recommend, m.had AS with_photos, c.value, -1 AS sign FROM (SELECT * FROM (SELECT r.id, r.product_id, r.rating, r.recommend, (EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id AND NOT EXISTS (SELECT FROM new_rows n WHERE n.id = p.id))) AS had, EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id) AS has FROM reviews r WHERE r.id IN (SELECT review_id FROM new_rows) AND NOT r.reported) m WHERE m.had <> m.has) m JOIN characteristic_reviews c ON c.review_id = m.id
UNION ALL
SELECT c.characteristic_id, m.rating, m.recommend, m.has AS with_photos, c.value, 1 AS sign FROM (SELECT * FROM (SELECT r.id, r.product_id, r.rating, r.recommend, (EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id AND NOT EXISTS (SELECT FROM new_rows n WHERE n.id = p.id))) AS had, EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id) AS has FROM reviews r WHERE r.id IN (SELECT review_id FROM new_rows) AND NOT r.reported) m WHERE m.had <> m.has) m JOIN characteristic_reviews c ON c.review_id = m.id) AS d
GROUP BY d.characteristic_id, d.rating, d.recommend, d.with_photos
HAVING sum(d.sign) FILTER (WHERE d.value = 1) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 2) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 3) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 4) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 5) <> 0
ORDER BY d.characteristic_id, d.rating, d.recommend, d.with_photos
ON CONFLICT (characteristic_id, rating, recommend, with_photos) DO UPDATE SET
    value_1 = m.value_1 + excluded.value_1,
    value_2 = m.value_2 + excluded.value_2,
    value_3 = m.value_3 + excluded.value_3,
    value_4 = m.value_4 + excluded.value_4,
    value_5 = m.value_5 + excluded.value_5;
RETURN NULL;
END
$function$;
CREATE TRIGGER reviews_photos_meta_insert_cells AFTER INSERT ON reviews_photos
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reviews_photos_meta_insert_cells();

--
-- Raw SQL operation
--

CREATE FUNCTION reviews_photos_meta_update_cells() RETURNS trigger LANGUAGE plpgsql AS $function$
BEGIN
LOCK TABLE product_meta, characteristic_meta, product_meta_cells, characteristic_meta_cells IN ROW EXCLUSIVE MODE;
PERFORM FROM reviews WHERE id IN (SELECT review_id FROM old_rows UNION SELECT review_id FROM new_rows) ORDER BY id FOR NO KEY UPDATE;
IF NOT EXISTS (SELECT * FROM (SELECT r.id, r.product_id, r.rating, r.recommend, (EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id AND NOT EXISTS (SELECT FROM new_rows n WHERE n.id = p.id)) OR EXISTS (SELECT FROM old_rows o WHERE o.review_id = r.id)) AS had, EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id) AS has FROM reviews r WHERE r.id IN (SELECT review_id FROM old_rows UNION SELECT review_id FROM new_rows) AND NOT r.reported) m WHERE m.had <> m.has) THEN
    RETURN NULL;
END IF;
PERFORM FROM product_meta WHERE product_id IN (SELECT m.product_id FROM (SELECT * FROM (SELECT r.id, r.product_id, r.rating, r.recommend, (EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id AND NOT EXISTS (SELECT FROM new_rows n WHERE n.id = p.id)) OR EXISTS (SELECT FROM old_rows o WHERE o.review_id = r.id)) AS had, EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id) AS has FROM reviews r WHERE r.id IN (SELECT review_id FROM old_rows UNION SELECT review_id FROM new_rows) AND NOT r.reported) m WHERE m.had <> m.has) m) ORDER BY product_id FOR NO KEY UPDATE;
UPDATE product_meta SET version = version WHERE product_id IN (SELECT m.product_id FROM (SELECT * FROM (SELECT r.id, r.product_id, r.rating, r.recommend, (EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id AND NOT EXISTS (SELECT FROM new_rows n WHERE n.id = p.id)) OR EXISTS (SELECT FROM old_rows o WHERE o.review_id = r.id)) AS had, EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id) AS has FROM reviews r WHERE r.id IN (SELECT review_id FROM old_rows UNION SELECT review_id FROM new_rows) AND NOT r.reported) m WHERE m.had <> m.has) m);

INSERT INTO product_meta_cells AS m (product_id, rating, recommend, with_photos, review_count)
SELECT d.product_id, d.rating, d.recommend, d.with_photos,
       coalesce(sum(d.sign) FILTER (WHERE true), 0)
FROM (SELECT m.product_id, m.rating, m.recommend, m.had AS with_photos, -1 AS sign FROM (SELECT * FROM (SELECT r.id, r.product_id, r.rating, r.recommend, (EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id AND NOT EXISTS (SELECT FROM new_rows n WHERE n.id = p.id)) OR EXISTS (SELECT FROM old_rows o WHERE o.review_id = r.id)) AS had, EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id) AS has FROM reviews r WHERE r.id IN (SELECT review_id FROM old_rows UNION SELECT review_id FROM new_rows) AND NOT r.reported) m WHERE m.had <> m.has) m
UNION ALL
SELECT m.product_id, m.rating, m.recommend, m.has AS with_photos, 1 AS sign FROM (SELECT * FROM (SELECT r.id, r.product_id, r.rating, r.recommend, (EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id AND NOT EXISTS (SELECT FROM new_rows n WHERE n.id = p.id)) OR EXISTS (SELECT FROM old_rows o WHERE o.review_id = r.id)) AS had, EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id) AS has FROM reviews r WHERE r.id IN (SELECT review_id FROM old_rows UNION SELECT review_id FROM new_rows) AND NOT r.reported) m WHERE m.had <> m.has) m) AS d
GROUP BY d.product_id, d.rating, d.recommend, d.with_photos
HAVING sum(d.sign) FILTER (WHERE true) <> 0
ORDER BY d.product_id, d.rating, d.recommend, d.with_photos
ON CONFLICT (product_id, rating, recommend, with_photos) DO UPDATE SET
    review_count = m.review_count + excluded.review_count;

INSERT INTO characteristic_meta_cells AS m (characteristic_id, rating, recommend, with_photos, value_1, value_2, value_3, value_4, value_5)
SELECT d.characteristic_id, d.rating, d.recommend, d.with_photos,
       coalesce(sum(d.sign) FILTER (WHERE d.value = 1), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 2), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 3), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 4), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 5), 0)
FROM (SELECT c.characteristic_id, m.rating, m.recommend, m.had AS with_photos, c.value, -1 AS sign FROM (SELECT * FROM (SELECT r.id, r.product_id, r.rating, r.recommend, (EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id AND NOT EXISTS (SELECT FROM new_rows n WHERE n.id = p.id)) OR EXISTS (SELECT FROM old_rows o WHERE o.review_id = r.id)) AS had, EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id) AS has FROM reviews r WHERE r.id IN (SELECT review_id FROM old_rows UNION SELECT review_id FROM new_rows) AND NOT r.reported) m WHERE m.had <> m.has) m JOIN characteristic_reviews c ON c.review_id = m.id
UNION ALL
SELECT c.characteristic_id, m.rating, m.recommend, m.has AS with_photos, c.value, 1 AS sign FROM (SELECT * FROM (SELECT r.id, r.product_id, r.rating, r.recommend, (EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id AND NOT EXISTS (SELECT FROM new_rows n WHERE n.id = p.id)) OR EXISTS (SELECT FROM old_rows o WHERE o.review_id = r.id)) AS had, EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id) AS has FROM reviews r WHERE r.id IN (SELECT review_id FROM old_rows UNION SELECT review_id FROM new_rows) AND NOT r.reported) m WHERE m.had <> m.has) m JOIN characteristic_reviews c ON c.review_id = m.id) AS d
GROUP BY d.characteristic_id, d.rating, d.recommend, d.with_photos
HAVING sum(d.sign) FILTER (WHERE d.value = 1) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 2) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 3) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 4) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 5) <> 0
ORDER BY d.characteristic_id, d.rating, d.recommend, d.with_photos
ON CONFLICT (characteristic_id, rating, recommend, with_photos) DO UPDATE SET
    value_1 = m.value_1 + excluded.value_1,
    value_2 = m.value_2 + excluded.value_2,
    value_3 = m.value_3 + excluded.value_3,
    value_4 = m.value_4 + excluded.value_4,
    value_5 = m.value_5 + excluded.value_5;
RETURN NULL;
END
$function$;
CREATE TRIGGER reviews_photos_meta_update_cells AFTER UPDATE ON reviews_photos
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reviews_photos_meta_update_cells();

--
-- Raw SQL operation
--

CREATE FUNCTION reviews_photos_meta_delete_cells() RETURNS trigger LANGUAGE plpgsql AS $function$
BEGIN
LOCK TABLE product_meta, characteristic_meta, product_meta_cells, characteristic_meta_cells IN ROW EXCLUSIVE MODE;
PERFORM FROM reviews WHERE id IN (SELECT review_id FROM old_rows) ORDER BY id FOR NO KEY UPDATE;
IF NOT EXISTS (SELECT * FROM (SELECT r.id, r.product_id, r.rating, r.recommend, (EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id AND true) OR EXISTS (SELECT FROM old_rows o WHERE o.review_id = r.id)) AS had, EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id) AS has FROM reviews r WHERE r.id IN (SELECT review_id FROM old_rows) AND NOT r.reported) m WHERE m.had <> m.has) THEN
    RETURN NULL;
END IF;
PERFORM FROM product_meta WHERE product_id IN (SELECT m.product_id FROM (SELECT * FROM (SELECT r.id, r.product_id, r.rating, r.recommend, (EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id AND true) OR EXISTS (SELECT FROM old_rows o WHERE o.review_id = r.id)) AS had, EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id) AS has FROM reviews r WHERE r.id IN (SELECT review_id FROM old_rows) AND NOT r.reported) m WHERE m.had <> m.has) m) ORDER BY product_id FOR NO KEY UPDATE;
UPDATE product_meta SET version = version WHERE product_id IN (SELECT m.product_id FROM (SELECT * FROM (SELECT r.id, r.product_id, r.rating, r.recommend, (EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id AND true) OR EXISTS (SELECT FROM old_rows o WHERE o.review_id = r.id)) AS had, EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id) AS has FROM reviews r WHERE r.id IN (SELECT review_id FROM old_rows) AND NOT r.reported) m WHERE m.had <> m.has) m);

INSERT INTO product_meta_cells AS m (product_id, rating, recommend, with_photos, review_count)
SELECT d.product_id, d.rating, d.recommend, d.with_photos,
       coalesce(sum(d.sign) FILTER (WHERE true), 0)
FROM (SELECT m.product_id, m.rating, m.recommend, m.had AS with_photos, -1 AS sign FROM (SELECT * FROM (SELECT r.id, r.product_id, r.rating, r.recommend, (EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id AND true) OR EXISTS (SELECT FROM old_rows o WHERE o.review_id = r.id)) AS had, EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id) AS has FROM reviews r WHERE r.id IN (SELECT review_id FROM old_rows) AND NOT r.reported) m WHERE m.had <> m.has) m
UNION ALL
SELECT m.product_id, m.rating, m.recommend, m.has AS with_photos, 1 AS sign FROM (SELECT * FROM (SELECT r.id, r.product_id, r.rating, r.recommend, (EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id AND true) OR EXISTS (SELECT FROM old_rows o WHERE o.review_id = r.id)) AS had, EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id) AS has FROM reviews r WHERE r.id IN (SELECT review_id FROM old_rows) AND NOT r.reported) m WHERE m.had <> m.has) m) AS d
GROUP BY d.product_id, d.rating, d.recommend, d.with_photos
HAVING sum(d.sign) FILTER (WHERE true) <> 0
ORDER BY d.product_id, d.rating, d.recommend, d.with_photos
ON CONFLICT (product_id, rating, recommend, with_photos) DO UPDATE SET
    review_count = m.review_count + excluded.review_count;

INSERT INTO characteristic_meta_cells AS m (characteristic_id, rating, recommend, with_photos, value_1, value_2, value_3, value_4, value_5)
SELECT d.characteristic_id, d.rating, d.recommend, d.with_photos,
       coalesce(sum(d.sign) FILTER (WHERE d.value = 1), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 2), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 3), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 4), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.value = 5), 0)
FROM (SELECT c.characteristic_id, m.rating, m.recommend, m.had AS with_photos, c.value, -1 AS sign FROM (SELECT * FROM (SELECT r.id, r.product_id, r.rating, r.recommend, (EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id AND true) OR EXISTS (SELECT FROM old_rows o WHERE o.review_id = r.id)) AS had, EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id) AS has FROM reviews r WHERE r.id IN (SELECT review_id FROM old_rows) AND NOT r.reported) m WHERE m.had <> m.has) m JOIN characteristic_reviews c ON c.review_id = m.id
UNION ALL
SELECT c.characteristic_id, m.rating, m.recommend, m.has AS with_photos, c.value, 1 AS sign FROM (SELECT * FROM (SELECT r.id, r.product_id, r.rating, r.recommend, (EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id AND true) OR EXISTS (SELECT FROM old_rows o WHERE o.review_id = r.id)) AS had, EXISTS (SELECT FROM reviews_photos p WHERE p.review_id = r.id) AS has FROM reviews r WHERE r.id IN (SELECT review_id FROM old_rows) AND NOT r.reported) m WHERE m.had <> m.has) m JOIN characteristic_reviews c ON c.review_id = m.id) AS d
GROUP BY d.characteristic_id, d.rating, d.recommend, d.with_photos
HAVING sum(d.sign) FILTER (WHERE d.value = 1) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 2) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 3) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 4) <> 0 OR sum(d.sign) FILTER (WHERE d.value = 5) <> 0
ORDER BY d.characteristic_id, d.rating, d.recommend, d.with_photos
ON CONFLICT (characteristic_id, rating, recommend, with_photos) DO UPDATE SET
    value_1 = m.value_1 + excluded.value_1,
    value_2 = m.value_2 + excluded.value_2,
    value_3 = m.value_3 + excluded.value_3,
    value_4 = m.value_4 + excluded.value_4,
    value_5 = m.value_5 + excluded.value_5;
RETURN NULL;
END
$function$;
CREATE TRIGGER reviews_photos_meta_delete_cells AFTER DELETE ON reviews_photos
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION reviews_photos_meta_delete_cells();

--
-- Raw SQL operation
--

CREATE FUNCTION reviews_meta_truncate_cells() RETURNS trigger LANGUAGE plpgsql AS $function$
BEGIN
DELETE FROM product_meta_cells;
DELETE FROM characteristic_meta_cells;
RETURN NULL;
END
$function$;
CREATE TRIGGER reviews_meta_truncate_cells AFTER TRUNCATE ON reviews
FOR EACH STATEMENT EXECUTE FUNCTION reviews_meta_truncate_cells();

--
-- Raw SQL operation
--

CREATE FUNCTION characteristic_reviews_meta_truncate_cells() RETURNS trigger LANGUAGE plpgsql AS $function$
BEGIN
DELETE FROM characteristic_meta_cells;
RETURN NULL;
END
$function$;
CREATE TRIGGER characteristic_reviews_meta_truncate_cells AFTER TRUNCATE ON characteristic_reviews
FOR EACH STATEMENT EXECUTE FUNCTION characteristic_reviews_meta_truncate_cells();

--
-- Raw SQL operation
--

CREATE FUNCTION reviews_photos_meta_truncate_cells() RETURNS trigger LANGUAGE plpgsql AS $function$
BEGIN
LOCK TABLE product_meta, characteristic_meta, product_meta_cells, characteristic_meta_cells IN ROW EXCLUSIVE MODE;
UPDATE product_meta SET version = version WHERE product_id IN (SELECT product_id FROM product_meta_cells WHERE with_photos AND review_count <> 0);

INSERT INTO product_meta_cells AS m (product_id, rating, recommend, with_photos, review_count)
SELECT product_id, rating, recommend, false, review_count FROM product_meta_cells WHERE with_photos
ORDER BY product_id, rating, recommend
ON CONFLICT (product_id, rating, recommend, with_photos) DO UPDATE SET review_count = m.review_count + excluded.review_count;
DELETE FROM product_meta_cells WHERE with_photos;

INSERT INTO characteristic_meta_cells AS m (characteristic_id, rating, recommend, with_photos, value_1, value_2, value_3, value_4, value_5)
SELECT characteristic_id, rating, recommend, false, value_1, value_2, value_3, value_4, value_5 FROM characteristic_meta_cells WHERE with_photos
ORDER BY characteristic_id, rating, recommend
ON CONFLICT (characteristic_id, rating, recommend, with_photos) DO UPDATE SET value_1 = m.value_1 + excluded.value_1, value_2 = m.value_2 + excluded.value_2, value_3 = m.value_3 + excluded.value_3, value_4 = m.value_4 + excluded.value_4, value_5 = m.value_5 + excluded.value_5;
DELETE FROM characteristic_meta_cells WHERE with_photos;
RETURN NULL;
END
$function$;
CREATE TRIGGER reviews_photos_meta_truncate_cells AFTER TRUNCATE ON reviews_photos
FOR EACH STATEMENT EXECUTE FUNCTION reviews_photos_meta_truncate_cells();

--
-- Raw SQL operation
--

INSERT INTO product_meta_cells (product_id, rating, recommend, with_photos, review_count)
SELECT product_id, rating, recommend, with_photos, review_count FROM product_meta_cells_fresh;
INSERT INTO characteristic_meta_cells (characteristic_id, rating, recommend, with_photos, value_1, value_2, value_3, value_4, value_5)
SELECT characteristic_id, rating, recommend, with_photos, value_1, value_2, value_3, value_4, value_5 FROM characteristic_meta_cells_fresh;

COMMIT;
