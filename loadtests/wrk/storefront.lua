-- wrk scenario: a storefront's mix. 60% meta, 30% first pages of 5 in the front-end's sorts, 7%
-- deeper pages (2 to 5, of 5 to 20 reviews), 2% helpful votes, 1% posts.
-- Votes only hit reviews this run posted (read from the Location header), so a benchmark on a
-- shared dataset changes no review that was there before; until one is posted, a vote is a meta.
package.path = "loadtests/wrk/?.lua;" .. package.path
local common = require("common")

local posted = {}
local JSON = { ["Content-Type"] = "application/json" }
local BODY = '{"product_id": %d, "rating": %d, "summary": "Benchmark review", ' ..
  '"body": "Written by the benchmark: fits well, washes well.", "recommend": true, ' ..
  '"name": "bench%d", "email": "bench%d@example.com", "photos": []}'
local DEEP_COUNTS = { 5, 10, 20 }
local SORTS = { "relevant", "newest", "helpful" }

function init(args) common.setup(args) end

function request()
  local pick = math.random() * 100
  if pick < 60 then return wrk.format("GET", common.meta_path()) end
  if pick < 90 then return wrk.format("GET", common.first_page_path()) end
  if pick < 97 then
    return wrk.format("GET", string.format("/reviews?product_id=%d&page=%d&count=%d&sort=%s",
      common.product(), math.random(2, 5), DEEP_COUNTS[math.random(#DEEP_COUNTS)],
      SORTS[math.random(#SORTS)]))
  end
  if pick < 99 then
    if #posted == 0 then return wrk.format("GET", common.meta_path()) end
    return wrk.format("PUT", "/reviews/" .. posted[math.random(#posted)] .. "/helpful")
  end
  local n = math.random(1, 1000000)
  local body = string.format(BODY, common.product(), math.random(1, 5), n, n)
  return wrk.format("POST", "/reviews", JSON, body)
end

function response(status, headers, body)
  local location = headers["Location"]
  if status == 201 and location and #posted < 1000 then
    local id = location:match("(%d+)/?$")
    if id then posted[#posted + 1] = id end
  end
end

done = common.done
