package harness

import (
	hdr "github.com/HdrHistogram/hdrhistogram-go"
	"slices"

	"github.com/dsbench/dsbench/workloads"
)

// merge folds the workers' recorders, in worker order, into a Report.
// Workers must have stopped.
func merge(recs []*recorder, closed bool, shards, clients int) *Report {
	rep := &Report{Loop: "open", Latency: NewHistogram(), Service: NewHistogram()}
	if closed {
		rep.Loop = "closed"
	}
	var shardLat []*hdr.Histogram
	rep.ShardOps = make([]uint64, max(shards, 0))
	for _, r := range recs {
		for k := range workloads.NumKinds {
			if r.lat[k] == nil {
				continue
			}
			if r.cur[k] != nil && r.cur[k].TotalCount() > 0 {
				panic("harness: merge before the recorder's last interval was flushed")
			}
			kr := &rep.Kinds[k]
			if kr.Latency == nil {
				kr.Latency, kr.Service = NewHistogram(), NewHistogram()
			}
			kr.Latency.Merge(r.lat[k])
			svc := r.svc[k]
			if closed {
				svc = r.lat[k] // closed loop: latency = service
			}
			kr.Service.Merge(svc)
			kr.Ops += r.ops[k]
			kr.Errors += r.errs[k]
			kr.Denied += r.denied[k]
		}
		if r.lag != nil {
			if rep.SendLag == nil {
				rep.SendLag = NewHistogram()
			}
			rep.SendLag.Merge(r.lag)
		}
		if rep.FirstError == nil {
			rep.FirstError = r.firstErr
		}
		rep.ShardOps = addCounts(rep.ShardOps, r.shardOps)
		for s, h := range r.shardLat {
			if h == nil {
				continue
			}
			for len(shardLat) <= s {
				shardLat = append(shardLat, nil)
			}
			if shardLat[s] == nil {
				shardLat[s] = newSmallHistogram()
			}
			shardLat[s].Merge(h)
		}
	}
	for k := range rep.Kinds {
		kr := &rep.Kinds[k]
		rep.Ops += kr.Ops
		rep.Errors += kr.Errors
		rep.Denied += kr.Denied
		if kr.Latency != nil {
			rep.Latency.Merge(kr.Latency)
			rep.Service.Merge(kr.Service)
		}
	}
	mergeClients(rep, recs, clients)
	if len(rep.ShardOps) > 0 {
		rep.ShardLatencyP99 = make([]float64, len(rep.ShardOps))
		for s, h := range shardLat {
			if h != nil && h.TotalCount() > 0 {
				rep.ShardLatencyP99[s] = float64(h.ValueAtQuantile(99))
			}
		}
	}
	return rep
}

func addCounts(dst, src []uint64) []uint64 {
	if len(src) > len(dst) {
		dst = append(dst, make([]uint64, len(src)-len(dst))...)
	}
	for i, v := range src {
		dst[i] += v
	}
	return dst
}

// DenseClientReport bounds the client ids a Report indexes densely; beyond
// it, the Report lists the clients seen (Report.ClientIDs).
const DenseClientReport = 1 << 20

// mergeClients sums the workers' per-client counts into rep: dense when
// every id seen and the spread are below DenseClientReport, else one entry
// per client seen, so memory follows the clients that sent, not the
// largest id.
func mergeClients(rep *Report, recs []*recorder, clients int) {
	var maxID uint64
	sparse := false
	for _, r := range recs {
		for id := len(r.clientOps) - 1; id >= 0; id-- {
			if r.clientOps[id] > 0 {
				maxID = max(maxID, uint64(id))
				break
			}
		}
		for id := range r.sparse {
			maxID = max(maxID, uint64(id))
			sparse = true
		}
	}
	rep.Clients = max(uint64(max(clients, 0)), maxID+1)
	if !sparse && rep.Clients <= DenseClientReport {
		rep.ClientOps = make([]uint64, rep.Clients)
		rep.ClientDenied = make([]uint64, rep.Clients)
		for _, r := range recs {
			n := min(len(r.clientOps), len(rep.ClientOps)) // the arrays grow past the ids seen
			addCounts(rep.ClientOps, r.clientOps[:n])
			addCounts(rep.ClientDenied, r.clientDenied[:n])
		}
		return
	}
	seen := map[uint32]*clientCount{}
	add := func(id uint32, ops, denied uint64) {
		if ops == 0 && denied == 0 {
			return
		}
		cc := seen[id]
		if cc == nil {
			cc = &clientCount{}
			seen[id] = cc
		}
		cc.ops += ops
		cc.denied += denied
	}
	for _, r := range recs {
		for id, n := range r.clientOps {
			add(uint32(id), n, r.clientDenied[id])
		}
		for id, cc := range r.sparse {
			add(id, cc.ops, cc.denied)
		}
	}
	rep.ClientIDs = make([]uint32, 0, len(seen))
	for id := range seen {
		rep.ClientIDs = append(rep.ClientIDs, id)
	}
	slices.Sort(rep.ClientIDs)
	rep.ClientOps = make([]uint64, len(rep.ClientIDs))
	rep.ClientDenied = make([]uint64, len(rep.ClientIDs))
	for i, id := range rep.ClientIDs {
		rep.ClientOps[i], rep.ClientDenied[i] = seen[id].ops, seen[id].denied
	}
}
