"""The Lua scripts of the Redis store's stories: lookup, add and lead, each one round trip.

Every script names the keys it is given in KEYS (band keys, the entry key, the lead key), so a
cluster client routes it by them; the entry keys a lookup reads are built from the entry prefix
(ARGV[1]) and share the band keys' slot through the ``{s}`` hash tag (``keys.py``).

An entry's value is ``<expires_at>|`` followed by ``StoryEntry.to_bytes()``: the expiry written
by the caller's clock decides whether a stored ref is still kept (Redis's own ``PX`` only
collects the garbage), so a test clock and the wall clock agree.
"""

from __future__ import annotations

# KEYS: band keys; ARGV: entry key prefix, since, limit
# -> {ref, value, ref, value, ...}: most shared bands first, then newest (then by ref)
STORY_LOOKUP = """
local limit = tonumber(ARGV[3])
local count, seen, refs = {}, {}, {}
for _, band in ipairs(KEYS) do
  local hits = redis.call('ZRANGEBYSCORE', band, ARGV[2], '+inf', 'WITHSCORES')
  for i = 1, #hits, 2 do
    local ref = hits[i]
    if count[ref] then
      count[ref] = count[ref] + 1
    else
      count[ref], seen[ref] = 1, tonumber(hits[i + 1])
      refs[#refs + 1] = ref
    end
  end
end
table.sort(refs, function(a, b)
  if count[a] ~= count[b] then return count[a] > count[b] end
  if seen[a] ~= seen[b] then return seen[a] > seen[b] end
  return a < b
end)
local out = {}
for _, ref in ipairs(refs) do
  if #out >= 2 * limit then break end
  local value = redis.call('GET', ARGV[1] .. ref)
  if value then
    out[#out + 1] = ref
    out[#out + 1] = value
  end
end
return out
"""

# KEYS[1] entry key, KEYS[2..] band keys; ARGV: entry key prefix, now, ttl_ms, ref, value, cutoff
# -> 1 stored, 0 kept (the ref is stored and not expired). Band members scored at or before
# ``cutoff`` (as old as an entry of this one's lifetime that has expired) are checked: an
# expired one leaves the band and its entry is deleted.
STORY_ADD = """
local now = tonumber(ARGV[2])
local function expired(value)
  return not value or (tonumber(string.match(value, '^[^|]*')) or math.huge) <= now
end
if not expired(redis.call('GET', KEYS[1])) then return 0 end
redis.call('SET', KEYS[1], ARGV[5], 'PX', ARGV[3])
for i = 2, #KEYS do
  local band = KEYS[i]
  for _, old in ipairs(redis.call('ZRANGEBYSCORE', band, '-inf', ARGV[6])) do
    local key = ARGV[1] .. old
    if expired(redis.call('GET', key)) then
      redis.call('DEL', key)
      redis.call('ZREM', band, old)
    end
  end
  redis.call('ZADD', band, ARGV[2], ARGV[4])
  if redis.call('PTTL', band) < tonumber(ARGV[3]) then redis.call('PEXPIRE', band, ARGV[3]) end
end
return 1
"""

# KEYS[1] lead hash; ARGV: alert key, title, last_seen, window, ttl_ms -> {key, title, seen}
# The rule of ``Stories.story_lead`` (``sqlite/stories.py`` ``next_lead`` in Python).
STORY_LEAD = """
local seen = tonumber(ARGV[3])
local lead = redis.call('HMGET', KEYS[1], 'key', 'title', 'seen')
if not lead[1] or tonumber(lead[3]) < seen - tonumber(ARGV[4]) then
  redis.call('HSET', KEYS[1], 'key', ARGV[1], 'title', ARGV[2], 'seen', ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
  return {ARGV[1], ARGV[2], ARGV[3]}
end
if lead[1] ~= ARGV[1] and tonumber(lead[3]) < seen then
  redis.call('HSET', KEYS[1], 'seen', ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
  lead[3] = ARGV[3]
end
return lead
"""

STORY_SCRIPTS = {"story_lookup": STORY_LOOKUP, "story_add": STORY_ADD, "story_lead": STORY_LEAD}
