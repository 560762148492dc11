/**
 * The OAuth store's writes as Redis scripts, each atomic in Redis. A record is a hash at
 * `<prefix>rec:<model>:<id>`: `payload` (oidc-provider's JSON, never decoded here: Lua's cjson
 * would turn an empty array into an object), `until` (ms, the caller's clock), `consumed`
 * (epoch seconds) and the indexes it is found by, so a later write can remove them:
 * `grant` (member `<model>:<id>` of the set `<prefix>grant:<grantId>`), `userCode`
 * (`<prefix>usercode:<model>:<code>` -> id) and `uid` (`<prefix>uid:<model>:<uid>` -> id).
 * A record and its indexes expire at one instant (PEXPIREAT, by Redis's TIME); a grant's set
 * lives as long as its longest-lived record.
 *
 * ARGV: 1 prefix, 2 model, 3 id, then the step's own.
 */
const PRELUDE = `
local P, MODEL, ID = ARGV[1], ARGV[2], ARGV[3]
local function index_key(kind, model, value) return P .. kind .. ':' .. model .. ':' .. value end
local function unindex(model, id, grant, user_code, uid)
  if uid then
    local k = index_key('uid', model, uid)
    if redis.call('GET', k) == id then redis.call('DEL', k) end
  end
  if user_code then
    local k = index_key('usercode', model, user_code)
    if redis.call('GET', k) == id then redis.call('DEL', k) end
  end
  if grant then redis.call('SREM', P .. 'grant:' .. grant, model .. ':' .. id) end
end
local function remove(model, id)
  local key = P .. 'rec:' .. model .. ':' .. id
  local old = redis.call('HMGET', key, 'grant', 'userCode', 'uid')
  unindex(model, id, old[1], old[2], old[3])
  redis.call('DEL', key)
end
`;

/** ARGV 4 payload, 5 ttl ms ("" none), 6 until ms, 7 grant id, 8 user code, 9 uid ("" none). */
export const UPSERT = `${PRELUDE}
local payload, ttl, until_ms, grant, user_code, uid = ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9]
remove(MODEL, ID)
local key = P .. 'rec:' .. MODEL .. ':' .. ID
local fields = { 'payload', payload }
if until_ms ~= '' then table.insert(fields, 'until'); table.insert(fields, until_ms) end
if grant ~= '' then table.insert(fields, 'grant'); table.insert(fields, grant) end
if user_code ~= '' then table.insert(fields, 'userCode'); table.insert(fields, user_code) end
if uid ~= '' then table.insert(fields, 'uid'); table.insert(fields, uid) end
redis.call('HSET', key, unpack(fields))
-- One instant for the record and its indexes, so none outlives the others.
local t = redis.call('TIME')
local ends = ttl ~= '' and (tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ttl))
local function expire(k) if ends then redis.call('PEXPIREAT', k, ends) end end
expire(key)
if user_code ~= '' then
  local k = index_key('usercode', MODEL, user_code)
  redis.call('SET', k, ID)
  expire(k)
end
if uid ~= '' then
  local k = index_key('uid', MODEL, uid)
  redis.call('SET', k, ID)
  expire(k)
end
if grant ~= '' then
  local g = P .. 'grant:' .. grant
  local fresh = redis.call('EXISTS', g) == 0
  redis.call('SADD', g, MODEL .. ':' .. ID)
  if not ends then
    redis.call('PERSIST', g)
  else
    local left = redis.call('PTTL', g)
    if fresh or (left >= 0 and left < tonumber(ttl)) then redis.call('PEXPIREAT', g, ends) end
  end
end
return 1
`;

export const DESTROY = `${PRELUDE}
remove(MODEL, ID)
return 1
`;

/** ARGV 4 consumed (epoch seconds). HSET keeps the record's expiry. */
export const CONSUME = `${PRELUDE}
local key = P .. 'rec:' .. MODEL .. ':' .. ID
if redis.call('EXISTS', key) == 1 then redis.call('HSET', key, 'consumed', ARGV[4]) end
return 1
`;

/** ARGV 3 the grant id (model unused). Every model's records of the grant, and its set. */
export const REVOKE = `${PRELUDE}
local g = P .. 'grant:' .. ID
for _, member in ipairs(redis.call('SMEMBERS', g)) do
  local at = string.find(member, ':', 1, true)
  remove(string.sub(member, 1, at - 1), string.sub(member, at + 1))
end
redis.call('DEL', g)
return 1
`;
