-- wrk script: GET /api/v1/metrics/servers/{id}/summary, cycling through the
-- server ids in $IDS (comma-separated), with the bearer token in $TOKEN.
local ids = {}
local i = 0

function init(args)
  for id in string.gmatch(os.getenv("IDS"), "[^,]+") do table.insert(ids, id) end
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
  i = math.random(0, #ids - 1)
end

function request()
  i = i + 1
  return wrk.format("GET", "/api/v1/metrics/servers/" .. ids[(i % #ids) + 1] .. "/summary")
end

-- Any answer other than 200 is counted by wrk as "Non-2xx".
