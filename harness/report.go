package harness

import (
	hdr "github.com/HdrHistogram/hdrhistogram-go"

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
	rep.ClientOps = make([]uint64, max(clients, 0))
	rep.ClientDenied = make([]uint64, max(clients, 0))
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
		rep.ClientOps = addCounts(rep.ClientOps, r.clientOps)
		rep.ClientDenied = addCounts(rep.ClientDenied, r.clientDenied)
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
