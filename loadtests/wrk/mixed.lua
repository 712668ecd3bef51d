-- wrk scenario: the front-end's mix with 3% writes: 38% meta, 59% review pages, 1.5% posts,
-- 1.3% helpful votes, 0.2% reports.
-- Votes and reports only hit reviews this run posted (read from the Location header), so a
-- benchmark on a shared dataset changes nothing that was there before, and never votes on a
-- reported review (a 404).
package.path = "loadtests/wrk/?.lua;" .. package.path
local common = require("common")

local posted = {}
local JSON = { ["Content-Type"] = "application/json" }
local BODY = '{"product_id": %d, "rating": %d, "summary": "Benchmark review", ' ..
  '"body": "Written by the benchmark: fits well, washes well.", "recommend": true, ' ..
  '"name": "bench%d", "email": "bench%d@example.com", "photos": []}'

function init(args) common.setup(args) end

function request()
  local pick = math.random() * 1000
  if pick < 380 then return wrk.format("GET", common.meta_path()) end
  if pick < 970 then return wrk.format("GET", common.reviews_path()) end
  if pick < 985 then
    local n = math.random(1, 1000000)
    local body = string.format(BODY, common.product(), math.random(1, 5), n, n)
    return wrk.format("POST", "/reviews", JSON, body)
  end
  if #posted == 0 then return wrk.format("GET", common.meta_path()) end
  if pick < 998 then
    -- A review this run posted: never reported (reports take theirs out of the list), so a 204.
    return wrk.format("PUT", "/reviews/" .. posted[math.random(#posted)] .. "/helpful")
  end
  local id = table.remove(posted, math.random(#posted))
  return wrk.format("PUT", "/reviews/" .. id .. "/report")
end

function response(status, headers, body)
  local location = headers["Location"]
  if status == 201 and location and #posted < 1000 then
    local id = location:match("(%d+)/?$")
    if id then posted[#posted + 1] = id end
  end
end

done = common.done
