"""The Lua scripts that make the Redis store's multi-key updates atomic.

Every script gets the key prefix as ARGV[1] and builds key names with the parts from
``keys.py``, so the layout documented there is the only one. An entry id lives in exactly one
index (``outbox:<channel>`` or ``dead:<channel>``); the entry hash holds its fields.
"""

from __future__ import annotations

from service.state.keys import CHANNELS, DEAD, ENTRY, OUTBOX

_PRELUDE = f"""
local P = ARGV[1]
local function ekey(id) return P .. '{ENTRY}' .. id end
local function okey(ch) return P .. '{OUTBOX}' .. ch end
local function dkey(ch) return P .. '{DEAD}' .. ch end
local function where(id)
  local ch = redis.call('HGET', ekey(id), 'channel')
  if not ch then return nil, nil end
  if redis.call('ZSCORE', okey(ch), id) then return 'pending', ch end
  if redis.call('ZSCORE', dkey(ch), id) then return 'dead', ch end
  return nil, ch
end
local function remove(id)
  local ch = redis.call('HGET', ekey(id), 'channel')
  if not ch then return 0 end
  redis.call('ZREM', okey(ch), id)
  redis.call('ZREM', dkey(ch), id)
  redis.call('DEL', ekey(id))
  return 1
end
local function put_entries(first)
  -- groups of 8: id, channel, alert, created_at, next_attempt, attempts, has_error, error
  for i = first, #ARGV, 8 do
    local id, ch = ARGV[i], ARGV[i + 1]
    remove(id)
    local k = ekey(id)
    redis.call('HSET', k, 'channel', ch, 'alert', ARGV[i + 2], 'created_at', ARGV[i + 3],
               'next_attempt', ARGV[i + 4], 'attempts', ARGV[i + 5])
    if ARGV[i + 6] == '1' then redis.call('HSET', k, 'last_error', ARGV[i + 7]) end
    redis.call('ZADD', okey(ch), ARGV[i + 4], id)
    redis.call('SADD', P .. '{CHANNELS}', ch)
  end
end
local function each_in(state, first, fn)
  -- fn(id, ch) for every id in ARGV[first..] that sits in index ``state``; how many it saw
  local n = 0
  for i = first, #ARGV do
    local id = ARGV[i]
    local at, ch = where(id)
    if at == state then
      fn(id, ch)
      n = n + 1
    end
  end
  return n
end
"""

# KEYS[1] claim key; ARGV: P, now, dedup_ttl, ttl_ms, entries... -> 1 claimed, 0 already claimed.
# The claim stores its time so an injected clock decides expiry; PX only collects garbage.
CLAIM_AND_ENQUEUE = (
    _PRELUDE
    + """
local prev = redis.call('GET', KEYS[1])
if prev and tonumber(prev) + tonumber(ARGV[3]) > tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[4])
put_entries(5)
return 1
"""
)

# ARGV: P, entries...
ENQUEUE = _PRELUDE + "\nput_entries(2)\nreturn 1\n"

# ARGV: P, index part (outbox:/dead:), channel ('' = every channel), min, max, limit (-1 = all)
# -> list of {id, field, value, ...}
LOAD = (
    _PRELUDE
    + """
local part, ch, lo, hi, limit = ARGV[2], ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6])
local chans
if ch == '' then chans = redis.call('SMEMBERS', P .. '"""
    + CHANNELS
    + """') else chans = {ch} end
local out = {}
for _, c in ipairs(chans) do
  local ids
  if limit >= 0 then
    ids = redis.call('ZRANGEBYSCORE', P .. part .. c, lo, hi, 'LIMIT', 0, limit)
  else
    ids = redis.call('ZRANGEBYSCORE', P .. part .. c, lo, hi)
  end
  for _, id in ipairs(ids) do
    local h = redis.call('HGETALL', ekey(id))
    if #h > 0 then
      table.insert(h, 1, id)
      out[#out + 1] = h
    end
  end
end
return out
"""
)

# ARGV: P, ids... -> how many pending entries were removed
ACK = (
    _PRELUDE
    + """
return each_in('pending', 2, remove)
"""
)

# ARGV: P, next_attempt, error, ids...
RESCHEDULE = (
    _PRELUDE
    + """
return each_in('pending', 4, function(id, ch)
  redis.call('HINCRBY', ekey(id), 'attempts', 1)
  redis.call('HSET', ekey(id), 'next_attempt', ARGV[2], 'last_error', ARGV[3])
  redis.call('ZADD', okey(ch), ARGV[2], id)
end)
"""
)

# ARGV: P, reason, now, ids...
DEAD_LETTER = (
    _PRELUDE
    + """
return each_in('pending', 4, function(id, ch)
  redis.call('ZREM', okey(ch), id)
  redis.call('HSET', ekey(id), 'reason', ARGV[2], 'died_at', ARGV[3])
  redis.call('ZADD', dkey(ch), ARGV[3], id)
end)
"""
)

# ARGV: P, now, ids... -> how many came back
REVIVE = (
    _PRELUDE
    + """
return each_in('dead', 3, function(id, ch)
  redis.call('ZREM', dkey(ch), id)
  redis.call('HDEL', ekey(id), 'reason', 'died_at')
  redis.call('HSET', ekey(id), 'attempts', 0, 'next_attempt', ARGV[2])
  redis.call('ZADD', okey(ch), ARGV[2], id)
end)
"""
)

# ARGV: P, ids... -> how many were removed (pending or dead)
DROP = (
    _PRELUDE
    + """
local n = 0
for i = 2, #ARGV do n = n + remove(ARGV[i]) end
return n
"""
)

# ARGV: P -> list of {channel, pending, dead}
DEPTH = (
    _PRELUDE
    + """
local out = {}
for _, ch in ipairs(redis.call('SMEMBERS', P .. '"""
    + CHANNELS
    + """')) do
  out[#out + 1] = {ch, redis.call('ZCARD', okey(ch)), redis.call('ZCARD', dkey(ch))}
end
return out
"""
)

SCRIPTS = {
    "claim_and_enqueue": CLAIM_AND_ENQUEUE,
    "enqueue": ENQUEUE,
    "load": LOAD,
    "ack": ACK,
    "reschedule": RESCHEDULE,
    "dead_letter": DEAD_LETTER,
    "revive": REVIVE,
    "drop": DROP,
    "depth": DEPTH,
}
"""Every script by name: ``RedisBase`` registers them once per client."""
