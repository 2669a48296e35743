// Package workloads generates the op streams dsbench replays: key
// distributions, op mixes, value sizes, clients and arrival processes,
// deterministic from a seed, plus trace files and stream statistics.
//
// Sources: Zipf sampling by rejection-inversion (Hörmann and Derflinger,
// ACM TOMACS 1996) or by Gray et al.'s method ("Quickly generating
// billion-record synthetic databases", SIGMOD'94, as in YCSB); ζ(n, θ) by an
// exact head plus an Euler–Maclaurin tail; the YCSB core workloads and its
// latest, hotspot and exponential choosers (Cooper et al., SoCC'10); a
// Feistel permutation with cycle walking (Black and Rogaway, CT-RSA 2002)
// for scrambled Zipf; Walker's alias method; Markov-modulated Poisson and
// on/off arrival processes; SplitMix64 seed derivation (Steele et al.,
// OOPSLA'14).
//
// # Spec grammar
//
// A workload is one line: an optional preset name and space-separated
// tokens, applied left to right (a later token overrides an earlier one; a
// preset resets every field to the defaults and then sets its own):
//
//	[PRESET] [keys=KEYDIST] [mix=MIX] [size=SIZEDIST] [scan=SIZEDIST] [clients=CLIENTS] [arrival=ARRIVAL]
//
// Presets: ycsb-a (read .5 update .5), ycsb-b (read .95 update .05), ycsb-c
// (read 1), ycsb-d (read .95 insert .05, keys latest), ycsb-e (scan .95
// insert .05, scan length uniform 1..100), ycsb-f (read .5 rmw .5).
//
// Defaults (the ycsb-a values): keys=scrambled-zipf:theta=0.99,n=1000000,key=0
// mix=read:0.5,update:0.5 size=const:n=100 (100-byte values, one YCSB field)
// scan=uniform:min=1,max=100 clients=uniform:n=1 arrival=closed.
//
// Numbers accept 1e6 and 1_000_000; durations use Go syntax (200ms, 1.5s);
// lists use | (rates=100|5000). Distributions are NAME:K=V,K=V; omitted
// parameters take the defaults shown.
//
// keys= (key ids in [0, n); see KeyDistForms):
//
//	uniform:n=1000000
//	sequential:n=1000000                  0, 1, 2, … wrapping at n
//	zipf:theta=0.99,n=1000000,method=exact rank k with P ∝ (k+1)^−θ, any θ > 0;
//	                                      method=gray is YCSB's approximation
//	scrambled-zipf:theta=0.99,n=1000000,key=0   the same ranks through a keyed
//	                                      bijection on [0,n): same frequencies, hot keys spread
//	latest:theta=0.99,n=1000000           newest − zipf rank (YCSB D)
//	hotspot:hot=0.2,ops=0.8,n=1000000     ops of the requests on the first hot·n keys
//	exponential:pct=95,frac=0.8571428571,n=1000000  pct% on the newest frac·n keys
//	weighted:p=0.5|0.3|0.2                key i with probability p[i]
//	trace:file=PATH                       keys in file order (one per line, or a trace's key column)
//
// mix= is KIND:P,KIND:P,… over read, update, insert, scan, rmw
// (read-modify-write), delete and the family kinds acquire, release,
// produce, consume, route; probabilities sum to 1 (within 1e-9).
//
// size= (value bytes) and scan= (scan length) take const:n=100,
// uniform:min=1,max=100, zipf:theta=0.99,min=1,max=1000 or
// hist:100:0.5|1000:0.5 (SIZE:PROBABILITY pairs).
//
// clients= is uniform:n=1 (or a bare count such as clients=1000) or
// zipf:theta=0.99,n=1000 (client 0 the busiest).
//
// arrival= (rates in ops/s of the whole stream; see ArrivalForms): closed,
// constant:rate=R, poisson:rate=R, gamma:rate=R,shape=K,
// onoff:rate=R,on=D,off=D,periods=const|exp, pareto-onoff:rate=R,on=D,off=D,shape=1.5,
// mmpp:rates=R|R|…,stay=D|D|…, ramp:from=R,to=R,over=D, spike:rate=R,every=D,for=D,x=10.
//
// Spec.String is the canonical form with every default filled in, and
// ParseSpec(s.String()) gives s back.
//
// # Determinism and parts
//
// Spec.Generator(seed, part) yields part Index of Of of the stream. Its
// source is PCG seeded with PartSeed(seed, Index) = SplitMix64(seed ^
// SplitMix64(Index)); the modulating chain of a bursty arrival process
// (on/off periods, MMPP states) is seeded from the root seed alone, so all
// parts burst together. Each part runs at rate/Of; a constant-rate or gamma
// part k sends ops k, k+Of, … of the whole schedule (gamma streams do not
// superpose, so every gamma part draws the whole schedule's gaps from a
// source seeded from the root seed). Inserts take the next unused
// key ids (part k's j-th insert is n + j·Of + k) and grow the keyspace of
// uniform, zipf, latest, hotspot and exponential keys as they go.
package workloads
