-- A full tip submission, as a browser sends the form: multipart/form-data with the CSRF token,
-- the session cookie that token belongs to, and a fresh submission_id (the form's idempotency
-- key) on every request, so that each POST stores a new tip instead of being taken for a double post.
-- The place description ends with "(run RUN_TAG)": the benchmark counts the tips stored by a run by it
-- (the portal keeps only a keyed hash of the submission id, so the ids cannot be looked for).
--
-- wrk -s bench/wrk/post_tip.lua URL -- COOKIE CSRF_TOKEN RUN_TAG

local cookie, csrf, tag
local counter = 0
local threads_made = 0
local boundary = "----portal-bench-7d1c6f0a"

function setup(thread)
  threads_made = threads_made + 1
  thread:set("thread_number", threads_made)
end

function init(args)
  cookie, csrf, tag = args[1], args[2], args[3]
  if not (cookie and csrf and tag) then
    error("usage: wrk -s post_tip.lua URL -- COOKIE CSRF_TOKEN RUN_TAG")
  end
end

local function part(name, value)
  return "--" .. boundary .. "\r\n" ..
    'Content-Disposition: form-data; name="' .. name .. '"\r\n\r\n' .. value .. "\r\n"
end

local function body(submission_id)
  return table.concat({
    part("csrf_token", csrf),
    part("submission_id", submission_id),
    part("location_source", "typed"),
    part("website", ""),
    part("province", "12"),
    part("district", ""),
    part("commune", ""),
    part("village", ""),
    part("place_description", "[Bench] Behind the old pagoda, near two tamarind trees by the pond. (run " .. tag .. ")"),
    part("local_name", ""),
    part("coordinates", ""),
    part("uncertainty", ""),
    part("what_seen", "[Bench] My father showed me where soldiers were buried after the fighting."),
    part("how_known", "told"),
    part("period", "1979"),
    part("estimated_graves", "3"),
    part("fallen_names", ""),
    part("fallen_unit", ""),
    part("fallen_hometown", ""),
    "--" .. boundary .. "\r\n" ..
      'Content-Disposition: form-data; name="photos"; filename=""\r\n' ..
      "Content-Type: application/octet-stream\r\n\r\n\r\n",
    part("anonymous", "y"),
    part("contact_name", ""),
    part("contact_phone", ""),
    part("contact_email", ""),
    part("contact_messaging", ""),
    part("contact_language", ""),
    part("on_behalf_relationship", ""),
    part("action", "submit"),
    "--" .. boundary .. "--\r\n",
  })
end

function request()
  counter = counter + 1
  local submission_id = string.format("wrk%s-%02d-%09d", tag, thread_number, counter)
  return wrk.format("POST", nil, {
    ["Cookie"] = cookie,
    ["Content-Type"] = "multipart/form-data; boundary=" .. boundary,
    ["Accept-Encoding"] = "gzip",
  }, body(submission_id))
end
