-- wrk script: POST /api/v1/servers/ with a unique name per request.
local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  thread_id = id
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local name = string.format("bench-%d-%d-%d", thread_id, counter, math.random(1, 1000000000))
  local body = string.format('{"name":"%s","job_name":"node","instance":"10.1.%d.%d:9100"}',
                             name, thread_id % 250, counter % 250)
  return wrk.format("POST", nil, nil, body)
end
