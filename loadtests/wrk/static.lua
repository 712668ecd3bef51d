-- wrk scenario: the static baseline, a JSON file served by nginx alone.
package.path = "loadtests/wrk/?.lua;" .. package.path
local common = require("common")

function request() return wrk.format("GET", "/static.json") end
done = common.done
