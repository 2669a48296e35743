// Package casestudy holds in-process models of published industry designs,
// each registered as a target casestudy/<name> whose figures show what the
// design is for. Every model keeps its pure algorithm (no clock reads, no
// global random source) apart from the adapter that registers it.
//
//   - casestudy/instagram-ids: Instagram Engineering, "Sharding & IDs at
//     Instagram" (2012): 64-bit IDs of 41 bits of milliseconds since a custom
//     epoch, 13 bits of logical shard and 10 bits of per-shard sequence;
//     thousands of logical shards mapped onto few database servers.
//   - casestudy/instagram-stack: the stack behind those ids ("What Powers
//     Instagram", 2011): media rows in PostgreSQL logical shards on DB hosts,
//     a memcached tier (LRU, TTL, consistent hashing, Facebook's leases
//     against the thundering herd), Redis feed lists filled by async fan-out
//     workers; on the shared simulated cluster.
//   - casestudy/twitter-timelines: Twitter's home timelines (Raffi Krikorian,
//     "Timelines at Scale", QCon 2013): fan-out on write into capped
//     per-follower timelines, except for accounts above a follower threshold,
//     whose tweets are merged in at read time.
//   - casestudy/discord-messages: Discord Engineering, "How Discord Stores
//     Billions of Messages" (2017) and "How Discord Stores Trillions of
//     Messages" (2023): messages partitioned by (channel_id, time bucket);
//     hot channels make hot partitions; data services coalesce concurrent
//     identical reads into one database query.
//   - casestudy/airbnb-idempotency: Airbnb Engineering, "Avoiding
//     Double Payments in a Distributed Payments System" (Orpheus, 2019): an
//     idempotency key per request, pre-RPC / RPC / post-RPC phases with no
//     database transaction held across the RPC, retryable and non-retryable
//     responses; a retry never charges twice.
//   - casestudy/slack-fanout: Slack Engineering, "Real-time Messaging"
//     (2023): channel servers placed by consistent hashing on channel id,
//     gateway servers holding each connected user's subscriptions, a message
//     fanned out to every connected member.
//   - casestudy/stripe-versioning: Stripe's date-based API versions (Brandur
//     Leach, "APIs as infrastructure", 2017): accounts pinned to a version,
//     responses rendered at the latest and walked back through version-change
//     modules; idempotency keys through the Airbnb study's IdemStore.
//   - casestudy/canva-uploads: Canva's upload pipeline: object store, an
//     at-least-once queue with visibility timeouts, retries and a dead-letter
//     queue, thumbnail workers autoscaled on the backlog.
//   - casestudy/netflix-search: Netflix's in-video search: models' labels
//     over time intervals in a title-sharded temporal inverted index, with
//     or without time buckets; label and two-label intersection queries.
//
// NOTES.md lists each target's parameters, figures and a CLI example.
package casestudy
